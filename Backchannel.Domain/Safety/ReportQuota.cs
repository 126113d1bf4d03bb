using System.Collections.Immutable;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Marten;
using Marten.Events.Projections;

namespace Backchannel.Domain.Safety;

/// <summary>
/// The rate limit on reporting: reports a user may file in an hour, requests and messages together, so that reports
/// cannot flood the operators' queue or be used to bury one user's record. Counted from <see cref="ReportsFiled"/>
/// under a lock on the user's reports (<see cref="RateLimitLock"/>). A refusal appends nothing: the reported user is
/// not concerned, and must never be.
/// </summary>
public static class ReportQuota
{
    /// <summary>Call it once the reported conversation's stream is locked; this lock comes after it, always.</summary>
    public static async Task<Throttle> CheckAsync(IDocumentSession session, string userId, BackchannelSettings settings, DateTimeOffset now,
        CancellationToken ct)
    {
        await RateLimitLock.AcquireAsync(session, "reports", userId, ct);
        var filed = await session.LoadAsync<ReportsFiled>(userId, ct);
        return RateWindow.Check(settings.RateLimits.Reports, filed?.Filed.Select(f => f.At) ?? [], now, settings.RateLimits.WarnAtShare);
    }

    /// <summary>
    /// A report decided under the conversation's lock and paced by the limit: <paramref name="decide"/> runs first, so
    /// a report that would be refused anyway (404, 409) is refused so, and a repeat that files nothing costs nothing.
    /// </summary>
    public static async Task<Paced> DecidePacedAsync(this IDocumentSession session, string conversationId, IEnumerable<string?> messageIds,
        string reporter, BackchannelSettings settings, DateTimeOffset now, Func<Conversation?, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        Throttle? throttle = null;
        await session.DecideAsync<Conversation>(conversationId,
            async conversation =>
            {
                var loaded = await session.WithMessagesAsync(conversation, messageIds, ct);
                if (loaded is not null) throttle = await CheckAsync(session, reporter, settings, now, ct);
                return loaded;
            },
            conversation =>
            {
                var events = decide(conversation);
                if (events.Count == 0) throttle = null;
                return throttle is { Refused: true } ? [] : events;
            }, ct);
        return new Paced(throttle);
    }
}

/// <summary>
/// Where and when one user filed their reports within the reporting window: what <see cref="ReportQuota"/> counts. Kept inline by
/// <see cref="ReportsFiledProjection"/>; older times are dropped as new ones come, so it stays small.
/// </summary>
public sealed record ReportsFiled(ImmutableList<ReportFiledAt> Filed)
{
    /// <summary>The reporter's handle.</summary>
    public string Id { get; init; } = "";

    /// <summary>A first report of a request.</summary>
    public static ReportsFiled Create(RequestReported e) => new ReportsFiled([]) { Id = e.To }.Add(e.ConversationId, e.At);

    /// <summary>A first report of a message.</summary>
    public static ReportsFiled Create(MessageReported e) => new ReportsFiled([]) { Id = e.ReportedBy }.Add(e.ConversationId, e.At);

    /// <summary>Another report of a request.</summary>
    public ReportsFiled Apply(RequestReported e) => Add(e.ConversationId, e.At);

    /// <summary>Another report of a message.</summary>
    public ReportsFiled Apply(MessageReported e) => Add(e.ConversationId, e.At);

    private ReportsFiled Add(string conversationId, DateTimeOffset at) =>
        this with { Filed = Filed.RemoveAll(f => f.At <= at - RateLimitSettings.ReportsWindow).Add(new ReportFiledAt(conversationId, at)) };
}

/// <summary>One report a user filed: in which conversation, and when.</summary>
public sealed record ReportFiledAt(string ConversationId, DateTimeOffset At);

/// <summary>Keeps one <see cref="ReportsFiled"/> per reporter (inline).</summary>
internal sealed class ReportsFiledProjection : MultiStreamProjection<ReportsFiled, string>
{
    /// <summary>Keyed by the reporter.</summary>
    public ReportsFiledProjection()
    {
        Identity<RequestReported>(e => e.To);
        Identity<MessageReported>(e => e.ReportedBy);
    }
}
