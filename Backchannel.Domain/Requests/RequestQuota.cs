using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Marten;

namespace Backchannel.Domain.Requests;

/// <summary>
/// The rate limit on conversations a user starts (requests and thank-you notes). Counted from the conversations they
/// started in the window, read under a lock on the user's requests (<see cref="RateLimitLock"/>), so two requests sent
/// at once are counted one after the other, even a brand-new user's first ones.
/// </summary>
public static class RequestQuota
{
    public static async Task<Throttle> CheckAsync(IDocumentSession session, string userId, BackchannelSettings settings, DateTimeOffset now,
        CancellationToken ct)
    {
        await RateLimitLock.AcquireAsync(session, "requests", userId, ct);
        var limit = settings.RateLimits.RequestsStarted;
        var since = now - limit.Window;
        var started = await session.Query<Conversation>()
            .Where(c => c.CreatedBy == userId && c.StartedAt > since && (c.Kind == ConversationKind.Direct || c.Kind == ConversationKind.Group))
            .Select(c => c.StartedAt)
            .ToListAsync(ct);
        return RateWindow.Check(limit, started, now, settings.RateLimits.WarnAtShare);
    }

    /// <summary>What a refused request records, one entry per recipient, as a refusal by policy does.</summary>
    public static IReadOnlyList<object> Suppressions(string conversationId, string from, IEnumerable<string> to, Throttle throttle, DateTimeOffset now) =>
        to.Select(recipient => (object)new RequestSuppressedByRateLimit(conversationId, from, recipient, throttle.Rule, now + throttle.RetryAfter, now)).ToList();
}
