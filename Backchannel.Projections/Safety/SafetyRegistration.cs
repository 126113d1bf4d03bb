using Backchannel.Domain.Safety;
using JasperFx.Events.Projections;
using Marten;

namespace Backchannel.Projections.Safety;

/// <summary>Trust and safety's part of the store: its decision state and views.</summary>
public static class SafetyRegistration
{
    /// <summary>
    /// The moderation audit, async like the other audits (the decision state, suspensions and report cases, is the
    /// Domain's: <see cref="SafetyStore"/>).
    /// </summary>
    public static void AddSafety(StoreOptions opts)
    {
        opts.Projections.Add<ModerationAuditProjection>(ProjectionLifecycle.Async);
        opts.Schema.For<ModerationAuditEntry>().Duplicate(e => e.Sequence).Duplicate(e => e.At);
    }
}
