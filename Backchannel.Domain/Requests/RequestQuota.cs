using System.Collections.Immutable;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Marten;
using Marten.Events.Projections;

namespace Backchannel.Domain.Requests;

/// <summary>
/// The rate limit on requests (new conversations, thank-you notes, invitations to a group). It counts every stranger
/// reached, requested or suppressed by a block alike (<see cref="RequestReach"/>), and once each conversation started
/// that reached none; read under a lock on the user's requests (<see cref="RateLimitLock"/>), so two requests sent at
/// once are counted one after the other, even a brand-new user's first ones.
/// </summary>
internal static class RequestQuota
{
    /// <summary>
    /// Whether <paramref name="cost"/> more fit in the window: a new conversation costs the strangers it reaches (one
    /// at least), an invitation to a group the strangers it reaches.
    /// </summary>
    public static async Task<Throttle> CheckAsync(IDocumentSession session, string userId, BackchannelSettings settings, DateTimeOffset now,
        int cost, CancellationToken ct)
    {
        await RateLimitLock.AcquireAsync(session, "requests", userId, ct);
        var limit = settings.RateLimits.RequestsStarted;
        var since = now - limit.Window;
        var started = await session.Query<Conversation>()
            .Where(c => c.CreatedBy == userId && c.StartedAt > since && (c.Kind == ConversationKind.Direct || c.Kind == ConversationKind.Group))
            .Select(c => new { c.StartedAt, c.StrangersAtStart })
            .ToListAsync(ct);
        var reach = await session.LoadAsync<RequestReach>(userId, ct);
        var counted = started.Where(c => c.StrangersAtStart == 0).Select(c => c.StartedAt).Concat(reach?.ReachedAt ?? []);
        return RateWindow.Check(limit, counted, now, settings.RateLimits.WarnAtShare, cost);
    }

    /// <summary>What a new conversation or a thank-you note costs: the strangers it reaches, and one when it reaches none.</summary>
    public static int CostOfStarting(Invitation invitation) => Math.Max(1, invitation.StrangersReached);

    /// <summary>
    /// What a refused request records, one entry per recipient, as a refusal by policy does; but only the first refusal
    /// until the retry time it gave (<see cref="UserProfile.RateLimitRecordedUntil"/>): hammering on a limit appends
    /// nothing more, while every refusal is still answered 429.
    /// </summary>
    public static IReadOnlyList<object> Suppressions(string conversationId, UserProfile sender, IEnumerable<string> to, Throttle throttle,
        DateTimeOffset now) =>
        sender.RateLimitRecordedUntil > now
            ? []
            : to.Select(recipient => (object)new RequestSuppressedByRateLimit(conversationId, sender.Id, recipient, throttle.Rule, now + throttle.RetryAfter, now)).ToList();
}

/// <summary>
/// The times at which one user reached a stranger (a request sent, or suppressed by a block) within the requests
/// window: what <see cref="RequestQuota"/> counts besides conversations started. Kept inline by
/// <see cref="RequestReachProjection"/>; older times are dropped as new ones come, so it stays small.
/// </summary>
public sealed record RequestReach(ImmutableList<DateTimeOffset> ReachedAt)
{
    /// <summary>The user's handle.</summary>
    public string Id { get; init; } = "";

    /// <summary>Starts this state from <see cref="RequestSent"/> (Marten calls it to keep the snapshot).</summary>
    public static RequestReach Create(RequestSent e) => new RequestReach([]) { Id = e.From }.Add(e.At);
    /// <summary>Starts this state from <see cref="RequestSuppressed"/> (Marten calls it to keep the snapshot).</summary>
    public static RequestReach Create(RequestSuppressed e) => new RequestReach([]) { Id = e.From }.Add(e.At);

    /// <summary>Folds <see cref="RequestSent"/> (Marten calls it to keep the snapshot).</summary>
    public RequestReach Apply(RequestSent e) => Add(e.At);
    /// <summary>Folds <see cref="RequestSuppressed"/> (Marten calls it to keep the snapshot).</summary>
    public RequestReach Apply(RequestSuppressed e) => Add(e.At);

    private RequestReach Add(DateTimeOffset at) =>
        this with { ReachedAt = ReachedAt.RemoveAll(t => t <= at - RateLimitSettings.RequestsWindow).Add(at) };
}

/// <summary>Keeps one <see cref="RequestReach"/> per requester (inline), folded by its own Create and Apply.</summary>
internal sealed class RequestReachProjection : MultiStreamProjection<RequestReach, string>
{
    public RequestReachProjection()
    {
        Identity<RequestSent>(e => e.From);
        Identity<RequestSuppressed>(e => e.From);
    }
}
