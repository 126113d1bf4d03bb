using JasperFx.Events.Projections;
using Marten;

namespace Backchannel.Domain.Safety;

/// <summary>What trust and safety's decisions read from the store, declared beside them (see <see cref="Common.DecisionStore"/>).</summary>
public static class SafetyStore
{
    /// <summary>
    /// Suspensions, report cases and each reporter's recent reports, inline: the suspension guard, the decisions on a
    /// case and the reporting limit read them current, in the transaction that changes them.
    /// </summary>
    public static void Configure(StoreOptions opts)
    {
        opts.Projections.Snapshot<Suspension>(SnapshotLifecycle.Inline);
        opts.Projections.Add<ReportCaseProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ReportsFiledProjection>(ProjectionLifecycle.Inline);
        opts.Schema.For<ReportCase>().Duplicate(c => c.ReportedUser).Duplicate(c => c.QueuedTicks).Duplicate(c => c.ResolvedTicks);
    }
}
