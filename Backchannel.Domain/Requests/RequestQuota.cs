using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Marten;

namespace Backchannel.Domain.Requests;

/// <summary>
/// The rate limit on conversations a user starts (requests and thank-you notes). Counted from the conversations they
/// started in the window, read while the command holds the lock on the user's own stream, so two requests sent at once
/// are counted one after the other. (A user whose stream does not exist yet has no row to lock: their very first
/// requests, sent at the same instant, could pass together.)
/// </summary>
public static class RequestQuota
{
    public static async Task<Throttle> CheckAsync(IQuerySession session, string userId, BackchannelSettings settings, DateTimeOffset now,
        CancellationToken ct)
    {
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
