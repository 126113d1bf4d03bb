using System.Text.Json;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Safety;
using Backchannel.Projections.Conversations;
using JasperFx.Events;
using Marten;

namespace Backchannel.Projections.Push;

/// <summary>
/// The members of one conversation as of the last event the push feed routed: who may see the next one. Folded by
/// <see cref="ConversationViewProjection.Fold"/>, so it is the conversation view as it was at that event.
/// </summary>
internal sealed class ConversationAudience
{
    public string Id { get; set; } = "";
    public ConversationView View { get; set; } = new();

    /// <summary>
    /// What the members saw of <see cref="View"/> after the last event routed through it, kept in memory only: the next
    /// event checks it still matches instead of copying the view again.
    /// </summary>
    internal object? LastSeen { get; set; }
}

/// <summary>
/// A conversation as one user may now see it in their lists, sent whenever that changes. <c>Box</c> is <c>inbox</c>,
/// <c>requests</c>, or null once it is gone from the user's lists; <c>YourStatus</c> the user's own status
/// (<c>active</c>, <c>pending</c>, <c>declined</c>, <c>left</c>, ...); <c>Members</c> the others as the user may see
/// them (<see cref="ViewerRules.StatusSeenBy(MemberView, string)"/>), empty once it is gone.
/// </summary>
public sealed record ConversationChanged(
    string ConversationId,
    string? Box,
    string YourStatus,
    ConversationKind Kind,
    string? Title,
    string? RoomId,
    string? EventId,
    string CreatedBy,
    bool Muted,
    IReadOnlyList<MemberSeen> Members);

/// <summary>A message removed by moderation, as its readers are told of it (push kind <c>message_removed_by_moderation</c>).</summary>
public sealed record MessageRemovedSeen(string ConversationId, string MessageId, DateTimeOffset At);

/// <summary>Another member, as the user may see them.</summary>
public sealed record MemberSeen(string UserId, string Status);

/// <summary>
/// Routes a conversation's events to its members, deciding with <see cref="ViewerRules"/> exactly as the views do:
/// a member gets a <c>conversation</c> item only when what they may see of it changed (so a decline or a
/// suppression, invisible to the others, sends them nothing), messages and their changes while they may see the
/// conversation, and a read marker only when they may see that member's marker.
/// </summary>
internal sealed class ConversationFeedSource : StreamFeedSource<ConversationAudience>
{
    public const string ConversationKind = "conversation";

    private static readonly Type[] MessageEvents =
        [typeof(MessageSent), typeof(ThanksSent), typeof(MessageEdited), typeof(MessageDeleted), typeof(ReactionAdded), typeof(ReactionWithdrawn),
            typeof(MessageRemovedByModeration)];

    private static readonly HashSet<Type> IsMessageEvent = [.. MessageEvents];

    public override IReadOnlyCollection<Type> EventTypes { get; } = new HashSet<Type>
    {
        typeof(ConversationStarted), typeof(RequestSent), typeof(RequestAdmittedAutomatically), typeof(RequestSuppressed),
        typeof(RequestAccepted), typeof(RequestDeclined), typeof(RequesterBlocked), typeof(RequestReported),
        typeof(MemberLeft), typeof(MemberRemoved), typeof(GroupRenamed), typeof(ConversationMuted), typeof(ConversationUnmuted),
        typeof(MessagesRead), typeof(MemberJoinedByRole), typeof(MemberLeftByRole), typeof(PendingMessagesCapped), typeof(MessageSent),
        typeof(ThanksSent), typeof(MessageEdited), typeof(MessageDeleted), typeof(ReactionAdded), typeof(ReactionWithdrawn),
        typeof(MessageRemovedByModeration),
    };

    protected override string IdOf(ConversationAudience audience) => audience.Id;

    /// <summary>
    /// A change to a message (an edit, a tombstone, a reaction) reaches only the members who may read that message:
    /// its sequence, which the change does not carry, is read once per batch from the messages' decision state.
    /// </summary>
    public override async Task RouteAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, FeedWriter feed, CancellationToken ct)
    {
        var changed = events.Select(e => MessageChanged(e.Data)).OfType<string>().Distinct().ToArray();
        var sequences = changed.Length == 0
            ? new Dictionary<string, long>()
            : (await operations.LoadManyAsync<MessageState>(ct, changed)).ToDictionary(m => m.Id, m => m.Sequence);
        await RouteEachAsync(operations, events, (audience, e) => Route(audience, e, feed, sequences), ct);
        foreach (var removed in events.Select(e => e.Data).OfType<MessageRemovedByModeration>())
            await RemoveByModerationFromFeedAsync(operations, feed, removed, ct);
    }

    /// <summary>
    /// Trust and safety's removal of a message from the push feed: every item already written with its text (sent,
    /// edited, a thank-you note), stored or in this batch, keeps its place but loses its text, so a client that resumes
    /// from before the removal never reads it. Found by the global positions of the message's events in its stream.
    /// </summary>
    private static async Task RemoveByModerationFromFeedAsync(IDocumentOperations operations, FeedWriter feed, MessageRemovedByModeration removed,
        CancellationToken ct)
    {
        var stream = await operations.Events.FetchStreamAsync(removed.ConversationId, token: ct);
        var positions = stream.Where(e => e.Data switch
        {
            MessageSent m => m.MessageId == removed.MessageId,
            MessageEdited m => m.MessageId == removed.MessageId,
            ThanksSent m => m.MessageId == removed.MessageId,
            _ => false,
        }).Select(e => e.Sequence).ToList();
        if (positions.Count == 0) return;
        var stored = operations is IRebuildingFeed rebuilding
            ? await rebuilding.ItemsOfAsync(removed.ConversationId, positions, ct)
            : await operations.Query<FeedItem>().Where(f => f.StreamKey == removed.ConversationId && positions.Contains(f.Position)).ToListAsync(ct);
        foreach (var item in stored)
        {
            if (feed.Items.Any(i => i.Id == item.Id)) continue;
            item.Data = WithoutText(item.Data);
            operations.Store(item);
        }
        foreach (var item in feed.Items.Where(i => i.StreamKey == removed.ConversationId && positions.Contains(i.Position)))
            item.Data = WithoutText(item.Data);
    }

    /// <summary>The payload with its <c>text</c> null.</summary>
    private static JsonElement WithoutText(JsonElement payload)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(payload.GetRawText())!.AsObject();
        if (node.ContainsKey("text")) node["text"] = null;
        return JsonSerializer.SerializeToElement(node, FeedWriter.PayloadJson);
    }

    protected override ConversationAudience? Route(ConversationAudience? audience, IEvent e, FeedWriter feed) =>
        Route(audience, e, feed, new Dictionary<string, long>());

    /// <summary>The key of the message an edit, a deletion or a reaction changes.</summary>
    private static string? MessageChanged(object e) =>
        e is MessageEdited or MessageDeleted or ReactionAdded or ReactionWithdrawn or MessageRemovedByModeration ? MessageState.KeyOf((IMessageEvent)e) : null;

    private static long? SequenceOf(object e, IReadOnlyDictionary<string, long> changed) => e switch
    {
        MessageSent sent => sent.Sequence,
        ThanksSent thanks => thanks.Sequence,
        _ => MessageChanged(e) is { } key && changed.TryGetValue(key, out var sequence) ? sequence : null,
    };

    private ConversationAudience? Route(ConversationAudience? audience, IEvent e, FeedWriter feed, IReadOnlyDictionary<string, long> changed)
    {
        // The fold changes the view in place: what the members saw is taken from it first.
        var before = audience is null ? null : audience.LastSeen is Seen seen && seen.Matches(audience.View) ? seen : Seen.Of(audience.View);
        var view = ConversationViewProjection.Fold(audience?.View, e);
        if (view is null) return audience;

        var after = before is not null && before.Matches(view) ? before : Seen.Of(view);
        if (before is null || !after.SameAs(before))
        {
            foreach (var member in view.Members)
            {
                var now = SeenBy(after, member.UserId);
                if (Same(now, before is null ? null : SeenBy(before, member.UserId))) continue;
                feed.Add(member.UserId, e, ConversationKind, e.Timestamp, now ?? Gone(view, member));
            }
        }

        if (IsMessageEvent.Contains(e.EventType))
        {
            var sequence = SequenceOf(e.Data, changed);
            var payload = PayloadOf(e.Data);
            foreach (var member in view.Members)
                if (view.CanBeSeenBy(member.UserId) && sequence is { } s && member.MayRead(s))
                    feed.Add(member.UserId, e, EventNames.All[e.EventType], e.Timestamp, payload);
        }
        else if (e.Data is MessagesRead read)
        {
            var reader = view.MemberOf(read.UserId)!;
            foreach (var member in view.Members)
                if (view.CanBeSeenBy(member.UserId) && reader.ReadMarkerSeenBy(member.UserId) is not null)
                    feed.Add(member.UserId, e, EventNames.All[e.EventType], e.Timestamp, read);
        }

        // When the fold changed the audience's own view in place, the audience is kept: a new one (and the empty view its
        // initializer makes) only when the fold returned another view.
        var routed = audience is not null && ReferenceEquals(audience.View, view) ? audience : new ConversationAudience { Id = view.Id, View = view };
        routed.LastSeen = after;
        return routed;
    }

    /// <summary>
    /// What a message event tells its readers: the event itself, but of a removal by moderation only which message and
    /// when; the operator and their reason (which may name what was reported, and so who reported it) stay with operators.
    /// </summary>
    private static object PayloadOf(object e) => e is MessageRemovedByModeration removed
        ? new MessageRemovedSeen(removed.ConversationId, removed.MessageId, removed.At)
        : e;

    /// <summary>
    /// All that <see cref="SeenBy"/> reads of a conversation, copied out of the view: a message or a read marker leaves it
    /// as it was, so most events give nobody a <c>conversation</c> item without working out what each member sees.
    /// </summary>
    private sealed record Seen(string Id, Domain.Conversations.ConversationKind Kind, string? Title, string? RoomId, string? EventId, string CreatedBy,
        (string UserId, MemberStatus Status, bool Muted)[] Members)
    {
        public static Seen Of(ConversationView view)
        {
            var members = new (string, MemberStatus, bool)[view.Members.Count];
            for (var i = 0; i < members.Length; i++)
            {
                var member = view.Members[i];
                members[i] = (member.UserId, member.Status, member.Muted);
            }
            return new Seen(view.Id, view.Kind, view.Title, view.RoomId, view.EventId, view.CreatedBy, members);
        }

        /// <summary>Whether <paramref name="view"/> shows what this shows (<see cref="SameAs"/>), read off the view without copying it.</summary>
        public bool Matches(ConversationView view)
        {
            if (view.Id != Id || view.Kind != Kind || view.Title != Title || view.RoomId != RoomId || view.EventId != EventId || view.CreatedBy != CreatedBy
                || view.Members.Count != Members.Length) return false;
            for (var i = 0; i < Members.Length; i++)
            {
                var member = view.Members[i];
                if (Members[i] != (member.UserId, member.Status, member.Muted)) return false;
            }
            return true;
        }

        public bool SameAs(Seen other) => ReferenceEquals(this, other) || this with { Members = other.Members } == other && Members.AsSpan().SequenceEqual(other.Members);
    }

    /// <summary>The conversation as <paramref name="viewer"/> may see it, or null when they may not.</summary>
    private static ConversationChanged? SeenBy(Seen view, string viewer)
    {
        // The first member of that id, as the view's own lookup finds them.
        var index = Array.FindIndex(view.Members, m => m.UserId == viewer);
        if (index < 0 || !ViewerRules.CanSeeConversation(view.Members[index].Status)) return null;
        var me = view.Members[index];
        return new ConversationChanged(view.Id, me.Status == MemberStatus.Active ? "inbox" : "requests", ViewerRules.StatusSeenBy(me.UserId, me.Status, viewer),
            view.Kind, view.Title, view.RoomId, view.EventId, view.CreatedBy, me.Muted,
            view.Members.Where(m => m.UserId != viewer).Select(m => new MemberSeen(m.UserId, ViewerRules.StatusSeenBy(m.UserId, m.Status, viewer))).ToList());
    }

    /// <summary>What a member who may no longer see the conversation is told: that it left their lists, and why.</summary>
    private static ConversationChanged Gone(ConversationView view, MemberView member) =>
        new(view.Id, null, member.StatusSeenBy(member.UserId), view.Kind, view.Title, view.RoomId, view.EventId, view.CreatedBy, member.Muted, []);

    /// <summary>
    /// Whether two views of a conversation would be sent as the same item: every field equal, the members in the same
    /// order with the same statuses (what their JSON compares, without writing it for every member at every event).
    /// </summary>
    private static bool Same(ConversationChanged? a, ConversationChanged? b) =>
        a is null || b is null ? a is null && b is null : a with { Members = b.Members } == b && a.Members.SequenceEqual(b.Members);
}
