using System.Linq.Expressions;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Projections.Rooms;
using Backchannel.Domain.Safety;
using Marten;

namespace Backchannel.Projections.Conversations;

/// <summary>A conversation in someone's inbox.</summary>
public sealed record InboxItem(
    string ConversationId,
    ConversationKind Kind,
    string? Title,
    IReadOnlyList<string> Members,
    RoomLink? Room,
    EventLink? Event,
    MessagePreview? LastMessage,
    DateTimeOffset LastActivityAt,
    int UnreadCount,
    bool Muted,
    IReadOnlyList<string> BlockedMembers);

/// <summary>A request waiting in someone's requests inbox, with what helps them decide.</summary>
public sealed record RequestItem(
    string ConversationId,
    ConversationKind Kind,
    string From,
    MessagePreview? OpeningMessage,
    int WaitingMessages,
    IReadOnlyList<string> OtherMembers,
    MutualContext Context,
    DateTimeOffset ReceivedAt);

/// <summary>What the recipient and the requester share: people both follow, the room where they met, the event thanked for.</summary>
public sealed record MutualContext(IReadOnlyList<string> PeopleInCommon, RoomLink? Room, EventLink? Event);

/// <summary>The inbox and the requests inbox of one user, newest activity first.</summary>
public static class InboxQueries
{
    public const int DefaultLimit = 50;

    public static async Task<IReadOnlyList<InboxItem>> InboxAsync(this IQuerySession session, string userId,
        int limit = DefaultLimit, CancellationToken ct = default)
    {
        var views = await session.NewestFirstAsync(c => c.InboxOf.Contains(userId), limit, ct);
        var unread = await session.UnreadCountsAsync(userId, views, ct);
        var me = (await session.LoadProfilesAsync([userId], ct))[userId];
        var links = await session.LinksAsync(views, ct);
        return views.Select(v =>
        {
            var member = v.MemberOf(userId)!;
            var others = v.Members.Where(m => m.UserId != userId && m.Status == MemberStatus.Active).Select(m => m.UserId).ToList();
            return new InboxItem(v.Id, v.Kind, v.Title, others, links.RoomOf(v), links.EventOf(v), member.PreviewSeenBy(v.LastMessage), v.LastActivityAt,
                unread[v.Id], member.Muted, others.Where(me.HasBlocked).ToList());
        }).ToList();
    }

    /// <summary>
    /// The requests waiting for <paramref name="userId"/>, newest first, but those of a requester suspended at
    /// <paramref name="now"/> (the system's time when null): they leave the requests inbox while the suspension holds,
    /// and are back, if still pending, once it is lifted or ends.
    /// </summary>
    public static async Task<IReadOnlyList<RequestItem>> RequestsAsync(this IQuerySession session, string userId,
        int limit = DefaultLimit, CancellationToken ct = default, DateTimeOffset? now = null)
    {
        var views = await session.WithoutSuspendedRequestersAsync(userId, limit, now ?? DateTimeOffset.UtcNow, ct);
        var unread = await session.UnreadCountsAsync(userId, views, ct);
        var requesters = views.Select(v => v.MemberOf(userId)!.InvitedBy!).Distinct();
        var profiles = await session.LoadProfilesAsync([userId, .. requesters], ct);
        var links = await session.LinksAsync(views, ct);
        return views.Select(v =>
        {
            var member = v.MemberOf(userId)!;
            var from = member.InvitedBy!;
            var inCommon = profiles[userId].Following.Intersect(profiles[from].Following).Order().ToList();
            var others = v.Members.Where(m => m.UserId != userId && m.UserId != from && m.Status == MemberStatus.Active)
                .Select(m => m.UserId).ToList();
            return new RequestItem(v.Id, v.Kind, from, member.PreviewSeenBy(v.OpeningMessage), unread[v.Id], others,
                new MutualContext(inCommon, links.RoomOf(v), links.EventOf(v)), member.Since);
        }).ToList();
    }

    /// <summary>
    /// Every conversation where the user has a request waiting that their requests inbox shows (none from a requester
    /// suspended at <paramref name="now"/>): what the mass actions on the requests inbox act on.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PendingRequestIdsAsync(this IQuerySession session, string userId, CancellationToken ct = default,
        DateTimeOffset? now = null) =>
        (await session.WithoutSuspendedRequestersAsync(userId, int.MaxValue, now ?? DateTimeOffset.UtcNow, ct)).Select(c => c.Id).ToList();

    /// <summary>
    /// Trust and safety's filter of the requests inbox: up to <paramref name="limit"/> conversations with a request
    /// waiting for <paramref name="userId"/>, newest first, leaving out those whose requester is suspended at
    /// <paramref name="now"/>, and reading on past them so that the page is not cut short.
    /// </summary>
    private static async Task<IReadOnlyList<ConversationView>> WithoutSuspendedRequestersAsync(this IQuerySession session, string userId, int limit,
        DateTimeOffset now, CancellationToken ct)
    {
        for (var take = limit; ; take = take > int.MaxValue / 2 ? int.MaxValue : take * 2)
        {
            var views = await session.NewestFirstAsync(c => c.RequestsOf.Contains(userId), take, ct);
            var suspended = await session.SuspendedAmongAsync(views.Select(v => v.MemberOf(userId)!.InvitedBy!), now, ct);
            var shown = views.Where(v => !suspended.Contains(v.MemberOf(userId)!.InvitedBy!)).ToList();
            if (shown.Count >= limit || views.Count < take || take == int.MaxValue) return shown.Take(limit).ToList();
        }
    }

    private static Task<IReadOnlyList<ConversationView>> NewestFirstAsync(this IQuerySession session,
        Expression<Func<ConversationView, bool>> filter, int limit, CancellationToken ct) =>
        session.Query<ConversationView>().Where(filter).OrderByDescending(c => c.LastActivityAt).Take(limit).ToListAsync(ct);

    /// <summary>
    /// For each conversation, the messages of others after the user's read marker, not deleted; counted in one
    /// round trip, from the thread itself, so a count can never drift or go negative.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, int>> UnreadCountsAsync(this IQuerySession session, string userId,
        IReadOnlyList<ConversationView> views, CancellationToken ct)
    {
        if (views.Count == 0) return new Dictionary<string, int>();
        var batch = session.CreateBatchQuery();
        var counts = views.ToDictionary(v => v.Id, v =>
        {
            var readUpTo = v.MemberOf(userId)?.ReadUpToSequence ?? 0;
            var shownUpTo = v.MemberOf(userId)?.CappedAt ?? long.MaxValue;
            return batch.Query<ThreadMessage>()
                .Where(m => m.ConversationId == v.Id && m.Sequence > readUpTo && m.Sequence <= shownUpTo && m.Author != userId && !m.Deleted)
                .Count();
        });
        await batch.Execute(ct);
        return counts.ToDictionary(c => c.Key, c => (int)c.Value.Result);
    }
}

/// <summary>The rooms and events a page of conversations links to, loaded once for the page.</summary>
public sealed record ConversationLinks(IReadOnlyDictionary<string, RoomLink> Rooms, IReadOnlyDictionary<string, EventLink> Events)
{
    public RoomLink? RoomOf(ConversationView view) => view.RoomId is null ? null : Rooms.GetValueOrDefault(view.RoomId);
    public EventLink? EventOf(ConversationView view) => view.EventId is null ? null : Events.GetValueOrDefault(view.EventId);
}

public static class ConversationLinkQueries
{
    public static async Task<ConversationLinks> LinksAsync(this IQuerySession session, IReadOnlyList<ConversationView> views, CancellationToken ct) =>
        new(await session.RoomLinksAsync(views.Select(v => v.RoomId).OfType<string>(), ct),
            await session.EventLinksAsync(views.Select(v => v.EventId).OfType<string>(), ct));
}
