namespace Backchannel.Domain.Common;

/// <summary>The domain's settings, bound from configuration section <c>Backchannel</c>.</summary>
public sealed record BackchannelSettings
{
    /// <summary>The configuration section Backchannel binds its settings from.</summary>
    public const string Section = "Backchannel";

    /// <summary>Most members of a group, its creator included (Clubhouse: 15).</summary>
    public int MaxGroupMembers { get; init; } = 15;

    /// <summary>How many messages a requester may send while nobody has accepted the request.</summary>
    public int PendingRequestMessageCap { get; init; } = 3;

    /// <summary>How often a user may start conversations, write while pending, and ask questions.</summary>
    public RateLimitSettings RateLimits { get; init; } = new();
    /// <summary>How long push feed items are kept; a client away longer is told to reload its views.</summary>
    public TimeSpan PushRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How often a quiet push stream sends a heartbeat comment, so proxies and clients keep it open.</summary>
    public TimeSpan PushHeartbeat { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How often each node checks whether the push feed has grown, while anyone listens: one small query per node,
    /// and part of every pushed change's delay (docs/benchmarks.md#projection-lag).
    /// </summary>
    public TimeSpan PushPolling { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How many push streams one user may hold open on one node at once (a phone, a laptop, a few tabs); the next is
    /// refused 429 <c>too_many_streams</c> until one closes.
    /// </summary>
    public int PushStreamsPerUser { get; init; } = 5;

    /// <summary>
    /// How many push streams one node holds open at once, all users together; the next is refused 503
    /// <c>push_streams_exhausted</c>, so a load balancer or the client tries another node or later.
    /// </summary>
    public int PushStreamsPerNode { get; init; } = 10_000;
}
