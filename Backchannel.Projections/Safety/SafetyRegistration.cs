using Backchannel.Domain.Safety;
using JasperFx.Events.Projections;
using Marten;

namespace Backchannel.Projections.Safety;

/// <summary>Trust and safety's part of the store: its decision state and views.</summary>
public static class SafetyRegistration
{
    /// <summary>
    /// Suspensions and report cases inline (the decisions on them, and the operator reading their own decision, need
    /// them current); the moderation audit async, like the other audits.
    /// </summary>
    public static void AddSafety(StoreOptions opts)
    {
        opts.Projections.Snapshot<Suspension>(SnapshotLifecycle.Inline);
        opts.Projections.Add<ReportCaseProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ReportsFiledProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ModerationAuditProjection>(ProjectionLifecycle.Async);
        opts.Schema.For<ReportCase>().Duplicate(c => c.ReportedUser).Duplicate(c => c.QueuedTicks).Duplicate(c => c.ResolvedTicks);
        opts.Schema.For<ModerationAuditEntry>().Duplicate(e => e.Sequence).Duplicate(e => e.At);
    }
}
