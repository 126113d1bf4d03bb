using System.Linq.Expressions;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Projections.Rooms;
using Backchannel.Domain.Safety;
using Marten;
using Marten.Linq.MatchesSql;

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
    /// <summary>The entries of <see cref="InboxAsync"/> and <see cref="RequestsAsync"/> unless told.</summary>
    public const int DefaultLimit = Paging.DefaultLimit;

    private const string InboxList = "inbox";
    private const string RequestsList = "requests";

    /// <summary>The first <paramref name="limit"/> conversations of the user's inbox, newest activity first.</summary>
    public static async Task<IReadOnlyList<InboxItem>> InboxAsync(this IQuerySession session, string userId,
        int limit = DefaultLimit, CancellationToken ct = default) =>
        (await session.InboxPageAsync(userId, null, limit, ct)).Items;

    /// <summary>
    /// A page of the user's inbox, newest activity first (ties by id), after <paramref name="after"/> (a cursor of an
    /// earlier page, or null for the first). A conversation with new activity moves to the front, where a walk already
    /// past it does not see it again: the push stream tells of it.
    /// </summary>
    public static async Task<Page<InboxItem>> InboxPageAsync(this IQuerySession session, string userId, string? after,
        int limit = DefaultLimit, CancellationToken ct = default)
    {
        var read = await session.NewestFirstAsync(InInboxOf(userId), InboxList, after, limit, ct);
        var page = Paging.Of(read, limit, v => Paging.Cursor(InboxList, Paging.Time(v.LastActivityAt), v.Id));
        var views = page.Items;
        var unread = await session.UnreadCountsAsync(userId, views, ct);
        var me = (await session.LoadProfilesAsync([userId], ct))[userId];
        var links = await session.LinksAsync(views, ct);
        return new Page<InboxItem>(views.Select(v =>
        {
            var member = v.MemberOf(userId)!;
            var others = v.Members.Where(m => m.UserId != userId && m.Status == MemberStatus.Active).Select(m => m.UserId).ToList();
            return new InboxItem(v.Id, v.Kind, v.Title, others, links.RoomOf(v), links.EventOf(v), member.PreviewSeenBy(v.LastMessage), v.LastActivityAt,
                unread[v.Id], member.Muted, others.Where(me.HasBlocked).ToList());
        }).ToList(), page.Next);
    }

    /// <summary>
    /// The first <paramref name="limit"/> requests waiting for the user, newest activity first, but those of a requester
    /// suspended at <paramref name="now"/> (the system's time when null): they leave the requests inbox while the
    /// suspension holds, and are back, if still pending, once it is lifted or ends.
    /// </summary>
    public static async Task<IReadOnlyList<RequestItem>> RequestsAsync(this IQuerySession session, string userId,
        int limit = DefaultLimit, CancellationToken ct = default, DateTimeOffset? now = null) =>
        (await session.RequestsPageAsync(userId, null, limit, ct, now)).Items;

    /// <summary>
    /// A page of the requests waiting for the user, newest activity first (ties by id), after <paramref name="after"/>,
    /// leaving out those of a requester suspended at <paramref name="now"/> and reading on past them, so that a page is
    /// never cut short by what it hides.
    /// </summary>
    public static async Task<Page<RequestItem>> RequestsPageAsync(this IQuerySession session, string userId, string? after,
        int limit = DefaultLimit, CancellationToken ct = default, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        string CursorOf(ConversationView v) => Paging.Cursor(RequestsList, Paging.Time(v.LastActivityAt), v.Id);
        var shown = new List<ConversationView>();
        for (var cursor = after; ;)
        {
            var read = await session.NewestFirstAsync(InRequestsOf(userId), RequestsList, cursor, limit, ct);
            var batch = read.Take(limit).ToList();
            var suspended = await session.SuspendedAmongAsync(batch.Select(v => v.MemberOf(userId)!.InvitedBy!), at, ct);
            shown.AddRange(batch.Where(v => !suspended.Contains(v.MemberOf(userId)!.InvitedBy!)));
            if (shown.Count > limit || read.Count <= limit) break;
            cursor = CursorOf(batch[^1]);
        }
        var page = Paging.Of(shown, limit, CursorOf);
        var views = page.Items;
        var unread = await session.UnreadCountsAsync(userId, views, ct);
        var requesters = views.Select(v => v.MemberOf(userId)!.InvitedBy!).Distinct();
        var profiles = await session.LoadProfilesAsync([userId, .. requesters], ct);
        var links = await session.LinksAsync(views, ct);
        return new Page<RequestItem>(views.Select(v =>
        {
            var member = v.MemberOf(userId)!;
            var from = member.InvitedBy!;
            var inCommon = profiles[userId].Following.Intersect(profiles[from].Following).Order().ToList();
            var others = v.Members.Where(m => m.UserId != userId && m.UserId != from && m.Status == MemberStatus.Active)
                .Select(m => m.UserId).ToList();
            return new RequestItem(v.Id, v.Kind, from, member.PreviewSeenBy(v.OpeningMessage), unread[v.Id], others,
                new MutualContext(inCommon, links.RoomOf(v), links.EventOf(v)), member.Since);
        }).ToList(), page.Next);
    }

    // Marten compares a list of strings within the whole document (data @> ...), which only an index of every value
    // in it serves; these compare the one list, as its own index is built (BackchannelRegistration).
    /// <summary>The conversations in <paramref name="userId"/>'s inbox.</summary>
    internal static Expression<Func<ConversationView, bool>> InInboxOf(string userId) =>
        c => c.MatchesSql("d.data -> 'inboxOf' @> jsonb_build_array(?::text)", userId);

    /// <summary>The conversations in <paramref name="userId"/>'s requests inbox.</summary>
    internal static Expression<Func<ConversationView, bool>> InRequestsOf(string userId) =>
        c => c.MatchesSql("d.data -> 'requestsOf' @> jsonb_build_array(?::text)", userId);

    // Ordered and compared in SQL on the same expressions, so the order of ties (by id, in the database's collation) and
    // the cursor's comparison agree; the time is given as text and cast as the stored one is, rounding both alike.
    private const string ActivityAt = "CAST(d.data ->> 'lastActivityAt' AS timestamptz)";

    /// <summary>One more than <paramref name="limit"/> conversations after the cursor, so that a next page shows.</summary>
    private static Task<IReadOnlyList<ConversationView>> NewestFirstAsync(this IQuerySession session,
        Expression<Func<ConversationView, bool>> filter, string list, string? after, int limit, CancellationToken ct)
    {
        var query = session.Query<ConversationView>().Where(filter);
        if (after is not null)
        {
            var position = Paging.Position(list, after, 2);
            var at = Paging.Time(position[0]);
            if (!Rules.IsId(position[1])) throw Paging.BadCursor();
            query = query.Where(c => c.MatchesSql($"({ActivityAt}, d.id) < (CAST(? AS timestamptz), ?)", Paging.Time(at), position[1]));
        }
        return query.OrderBySql($"{ActivityAt} DESC, d.id DESC").Take(limit + 1).ToListAsync(ct);
    }

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
            return batch.Query<MessageState>()
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
    /// <summary>The room <paramref name="view"/> links to, if any.</summary>
    public RoomLink? RoomOf(ConversationView view) => view.RoomId is null ? null : Rooms.GetValueOrDefault(view.RoomId);
    /// <summary>The event <paramref name="view"/> links to, if any.</summary>
    public EventLink? EventOf(ConversationView view) => view.EventId is null ? null : Events.GetValueOrDefault(view.EventId);
}

/// <summary>Loads the rooms and events a page of conversations links to.</summary>
public static class ConversationLinkQueries
{
    /// <summary>The links of <paramref name="views"/>, in two queries whatever the page's size.</summary>
    public static async Task<ConversationLinks> LinksAsync(this IQuerySession session, IReadOnlyList<ConversationView> views, CancellationToken ct) =>
        new(await session.RoomLinksAsync(views.Select(v => v.RoomId).OfType<string>(), ct),
            await session.EventLinksAsync(views.Select(v => v.EventId).OfType<string>(), ct));
}
