using System.Linq.Expressions;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Projections.Rooms;
using Marten;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// A page of a conversation as one member sees it. <see cref="Version"/> counts the changes this member has seen of it
/// (what <c>?asOfVersion=</c> takes): changes hidden from them, such as another member's decline, never move it.
/// </summary>
public sealed record ThreadView(
    string ConversationId,
    ConversationKind Kind,
    string? Title,
    RoomLink? Room,
    EventLink? Event,
    string CreatedBy,
    string YourStatus,
    bool Muted,
    IReadOnlyList<ThreadMember> Members,
    IReadOnlyList<string> BlockedMembers,
    int UnreadCount,
    IReadOnlyList<MessageView> Messages,
    long? NextBefore,
    long Version);

/// <summary>A member as the viewer may see them: <c>active</c>, <c>invited</c>, <c>left</c> or <c>removed</c>.</summary>
public sealed record ThreadMember(string UserId, string Status, string? ReadUpToMessageId);

/// <summary>Reading one conversation's thread as one member may see it: its header, members and a page of messages.</summary>
public static class ThreadQueries
{
    /// <summary>How many messages a page holds unless the caller asks otherwise.</summary>
    public const int DefaultPageSize = Paging.DefaultLimit;
    /// <summary>The most messages one page may hold.</summary>
    public const int MaxPageSize = Paging.MaxLimit;

    /// <summary>
    /// The newest <paramref name="limit"/> messages before sequence <paramref name="before"/> (all when null) that the
    /// viewer may read, oldest first; null when the viewer may not see the conversation.
    /// </summary>
    public static async Task<ThreadView?> ThreadAsync(this IQuerySession session, string viewer, string conversationId,
        long? before = null, int limit = DefaultPageSize, CancellationToken ct = default)
    {
        var view = await session.LoadAsync<ConversationView>(conversationId, ct);
        if (view is null || !view.CanBeSeenBy(viewer)) return null;
        var upTo = before ?? long.MaxValue;
        var page = await session.Query<MessageState>()
            .Where(ReadableBy(view.MemberOf(viewer)!, conversationId, upTo))
            .OrderByDescending(m => m.Sequence)
            .Take(limit + 1)
            .ToListAsync(ct);
        var unread = await session.UnreadCountsAsync(viewer, [view], ct);
        return await ShapeAsync(session, viewer, view, page, limit, unread[view.Id], ct);
    }

    /// <summary>
    /// The conversation as the viewer saw it after the <paramref name="version"/>-th change they saw (their
    /// <see cref="ThreadView.Version"/>; or, when it is 0, at time <paramref name="at"/>), rebuilt from its events; null
    /// when the viewer may not see the conversation now, or could not then. A message deleted since is a tombstone in
    /// every version; an edited one shows the text it had then.
    /// </summary>
    public static async Task<ThreadView?> ThreadAsOfAsync(this IQuerySession session, string viewer, string conversationId,
        long version, DateTimeOffset? at = null, CancellationToken ct = default)
    {
        var current = await session.LoadAsync<ConversationView>(conversationId, ct);
        if (current is null || !current.CanBeSeenBy(viewer)) return null;
        var events = await session.Events.FetchStreamAsync(conversationId, 0, version > 0 ? null : at?.ToUniversalTime(), token: ct);

        ConversationView? then = null;
        var messages = new Dictionary<string, MessageState>();
        foreach (var e in events)
        {
            then = ConversationViewProjection.Fold(then, e);
            MessageState.Fold(messages, e.Data);
            if (version > 0 && then?.MemberOf(viewer)?.SeenVersion >= version) break;
        }
        var member = then?.MemberOf(viewer);
        if (then is null || member is null || !member.CanSeeConversation()) return null;

        await session.DeletedSinceAsync(conversationId, messages, ct);

        var page = messages.Values.Where(m => member.MayRead(m.Sequence)).OrderByDescending(m => m.Sequence).ToList();
        var unread = page.Count(m => m.Sequence > member.ReadUpToSequence && m.Author != viewer && !m.Deleted);
        return await ShapeAsync(session, viewer, then, page, page.Count, unread, ct);
    }

    /// <summary>
    /// The messages of the conversation before <paramref name="upTo"/> that <paramref name="member"/> may read: one
    /// range of sequences for each time they were in it (PRODUCT.md, history visibility).
    /// </summary>
    private static Expression<Func<MessageState, bool>> ReadableBy(MemberView member, string conversationId, long upTo)
    {
        var message = Expression.Parameter(typeof(MessageState), "m");
        var sequence = Expression.Property(message, nameof(MessageState.Sequence));
        Expression readable = Expression.Constant(member.History.Count == 0);
        foreach (var span in member.History)
        {
            Expression inSpan = Expression.GreaterThanOrEqual(sequence, Expression.Constant(span.From));
            if (span.To is { } to) inSpan = Expression.AndAlso(inSpan, Expression.LessThanOrEqual(sequence, Expression.Constant(to)));
            readable = Expression.OrElse(readable, inSpan);
        }
        if (member.CappedAt is { } cap) readable = Expression.AndAlso(readable, Expression.LessThanOrEqual(sequence, Expression.Constant(cap)));
        var filter = Expression.AndAlso(
            Expression.AndAlso(
                Expression.Equal(Expression.Property(message, nameof(MessageState.ConversationId)), Expression.Constant(conversationId)),
                Expression.LessThan(sequence, Expression.Constant(upTo))),
            readable);
        return Expression.Lambda<Func<MessageState, bool>>(filter, message);
    }

    private static async Task<ThreadView> ShapeAsync(IQuerySession session, string viewer, ConversationView view,
        IReadOnlyList<MessageState> newestFirst, int limit, int unread, CancellationToken ct)
    {
        var me = (await session.LoadProfilesAsync([viewer], ct))[viewer];
        var links = await session.LinksAsync([view], ct);
        var member = view.MemberOf(viewer)!;
        var hasMore = newestFirst.Count > limit;
        var messages = newestFirst.Take(limit).Reverse().Select(m => m.ToView()).ToList();
        return new ThreadView(
            view.Id, view.Kind, view.Title, links.RoomOf(view), links.EventOf(view), view.CreatedBy,
            member.StatusSeenBy(viewer),
            member.Muted,
            view.Members.Select(m => new ThreadMember(m.UserId, m.StatusSeenBy(viewer), m.ReadMarkerSeenBy(viewer))).ToList(),
            view.Members.Where(m => m.UserId != viewer && m.LooksPresentTo(viewer) && me.HasBlocked(m.UserId)).Select(m => m.UserId).ToList(),
            unread,
            messages,
            hasMore ? messages[0].Sequence : null,
            member.SeenVersion);
    }
}
