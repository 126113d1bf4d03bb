using Backchannel.Domain.Conversations;
using Marten;

namespace Backchannel.Domain.Common;

/// <summary>
/// The rate limits on what a user opens that comes with a conversation of its own: rooms (their stage backchannel) and
/// events (their planning conversation). Counted from those conversations, which are written in the same transaction
/// as what they belong to, read under a lock on the user's openings of the kind (<see cref="RateLimitLock"/>), so two
/// sent at once are counted one after the other. A refusal appends nothing: nobody else is concerned, and a flood of
/// refusals then costs no storage.
/// </summary>
internal static class CreationQuota
{
    /// <summary>Call it after the session's transaction has begun (any exclusive fetch does).</summary>
    public static async Task<Throttle> CheckAsync(IDocumentSession session, ConversationKind kind, RateLimit limit, string userId,
        BackchannelSettings settings, DateTimeOffset now, CancellationToken ct)
    {
        await RateLimitLock.AcquireAsync(session, $"opened-{kind.ToString().ToLowerInvariant()}", userId, ct);
        var since = now - limit.Window;
        var opened = await session.Query<Conversation>()
            .Where(c => c.CreatedBy == userId && c.Kind == kind && c.StartedAt > since)
            .Select(c => c.StartedAt)
            .ToListAsync(ct);
        return RateWindow.Check(limit, opened, now, settings.RateLimits.WarnAtShare);
    }
}
