using System.Collections.Immutable;
using Backchannel.Domain.Requests;

namespace Backchannel.Domain.Conversations;

/// <summary>Where a person stands in a conversation.</summary>
public enum MemberStatus
{
    /// <summary>In the conversation: its creator, an accepted recipient, or one admitted automatically.</summary>
    Active,
    /// <summary>Has a request waiting in their requests inbox.</summary>
    Pending,
    /// <summary>Declined the request: the conversation is gone for them.</summary>
    Declined,
    /// <summary>Declined and blocked the requester.</summary>
    BlockedRequester,
    /// <summary>Declined and reported the request.</summary>
    Reported,
    /// <summary>Never saw the request: it was suppressed by a block.</summary>
    Suppressed,
    /// <summary>Left the conversation.</summary>
    Left,
    /// <summary>Removed from the group by its creator.</summary>
    Removed,
}

/// <summary>One person's place in a conversation.</summary>
public sealed record Member(string UserId, MemberStatus Status, string? InvitedBy, bool Muted, long ReadUpTo)
{
    /// <summary>
    /// The runs of message sequences this member may read: from when they were invited or joined to when they left
    /// (open while they are in). Empty only in a snapshot stored before history visibility, read as "everything".
    /// </summary>
    public ImmutableList<ReadSpan> Reads { get; init; } = [];

    /// <summary>
    /// While this member has not accepted, the last message their request shows (<see cref="PendingMessagesCapped"/>);
    /// null when nothing is held back from them.
    /// </summary>
    public long? CappedAt { get; init; }

    /// <summary>
    /// Whether message <paramref name="sequence"/> was sent while this member was in the conversation or invited, and,
    /// while they have not accepted, within what their request shows.
    /// </summary>
    public bool MayRead(long sequence) =>
        (CappedAt is null || sequence <= CappedAt) && (Reads.IsEmpty || Reads.Exists(span => span.Contains(sequence)));

    /// <summary>
    /// The conversation's last message sequence when this person was last invited or joined: what they were sent
    /// since is what the pending cap counts.
    /// </summary>
    public long JoinedAtSequence { get; init; }

    /// <summary>
    /// This person declined, blocked or reported this conversation's request: it never comes back to them, even
    /// after they are removed and invited again.
    /// </summary>
    public bool TurnedDown { get; init; }

    /// <summary>Active and pending members see the conversation; nobody else does.</summary>
    public bool CanSee => Status is MemberStatus.Active or MemberStatus.Pending;

    /// <summary>Statuses after which the conversation vanished without a trace for this person.</summary>
    public bool IsGone => Status is MemberStatus.Declined or MemberStatus.BlockedRequester
        or MemberStatus.Reported or MemberStatus.Suppressed
        || (Status == MemberStatus.Removed && TurnedDown);

    /// <summary>
    /// What everyone but this person sees as "invited": a request waiting, or one declined, blocked, reported or
    /// suppressed, which must look the same to them in every answer (PRODUCT.md, what a sender can tell).
    /// </summary>
    public bool LooksInvited => Status is MemberStatus.Pending or MemberStatus.Declined or MemberStatus.BlockedRequester
        or MemberStatus.Reported or MemberStatus.Suppressed;

    /// <summary>In the group as far as its other members can tell: in it, or looking invited. Counts towards its size.</summary>
    public bool LooksPresent => Status == MemberStatus.Active || LooksInvited;
}

/// <summary>
/// One message as stored: what decisions need to know of it and what its thread shows. Stored as a document of its
/// own per message (inline, see <see cref="MessageStateProjection"/>), never inside the conversation's snapshot: a
/// snapshot holding every message grew with its thread, and so did the cost of every command on it (measured in
/// docs/benchmarks.md). The thread reads these documents too, so a message is written once, not once per view.
/// <see cref="ReportedBy"/> is for decisions only: no view shows who reported a message.
/// </summary>
public sealed record MessageState(string Author, long Sequence, bool Deleted, ImmutableList<EmojiReactions> Reactions, ImmutableHashSet<string> ReportedBy)
{
    /// <summary>The document's id: <see cref="Key"/>. Message ids are unique within a conversation, not across them.</summary>
    public string Id { get; init; } = "";

    /// <summary>The message this state belongs to, unique within its conversation.</summary>
    public string MessageId { get; init; } = "";

    /// <summary>The conversation it was sent in.</summary>
    public string ConversationId { get; init; } = "";

    /// <summary>Whom a thank-you note thanks; null for a message.</summary>
    public string? ThanksTo { get; init; }

    /// <summary>The text, as last edited; null once deleted or removed.</summary>
    public string? Text { get; init; }

    /// <summary>The message this one replies to, if any.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>When it was sent.</summary>
    public DateTimeOffset SentAt { get; init; }

    /// <summary>When it was last edited.</summary>
    public DateTimeOffset? EditedAt { get; init; }

    /// <summary>How many times it was edited.</summary>
    public int Edits { get; init; }

    /// <summary>When it was deleted or removed.</summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>Removed by moderation: deleted for every decision (no edit, no reaction), and never removed twice.</summary>
    public bool RemovedByModeration { get; init; }

    /// <summary>The document id of the state of message <paramref name="messageId"/> in conversation <paramref name="conversationId"/>.</summary>
    public static string Key(string conversationId, string messageId) => $"{conversationId}/{messageId}";

    /// <summary>The key of the message <paramref name="e"/> is about.</summary>
    public static string KeyOf(IMessageEvent e) => Key(e.ConversationId, e.MessageId);

    /// <summary>Whether <paramref name="userId"/> has reacted with <paramref name="emoji"/>.</summary>
    public bool HasReaction(string userId, string emoji) => Reactions.Any(r => r.Emoji == emoji && r.By.Contains(userId));

    /// <summary>Starts this state from <see cref="MessageSent"/> (Marten calls it to keep the snapshot).</summary>
    public static MessageState Create(MessageSent e) =>
        new(e.Author, e.Sequence, false, [], []) { Id = Key(e.ConversationId, e.MessageId), MessageId = e.MessageId, ConversationId = e.ConversationId, Text = e.Text, ReplyTo = e.ReplyTo, SentAt = e.At };

    /// <summary>Starts this state from <see cref="ThanksSent"/> (Marten calls it to keep the snapshot).</summary>
    public static MessageState Create(ThanksSent e) =>
        new(e.Author, e.Sequence, false, [], []) { Id = Key(e.ConversationId, e.MessageId), MessageId = e.MessageId, ConversationId = e.ConversationId, ThanksTo = e.To, Text = e.Text, SentAt = e.At };

    /// <summary>Folds <see cref="MessageEdited"/> (Marten calls it to keep the snapshot).</summary>
    public MessageState Apply(MessageEdited e) => this with { Text = e.Text, EditedAt = e.At, Edits = Edits + 1 };

    /// <summary>Folds <see cref="MessageDeleted"/>: a tombstone (Marten calls it to keep the snapshot).</summary>
    public MessageState Apply(MessageDeleted e) => this with { Deleted = true, Text = null, DeletedAt = e.At };

    /// <summary>Folds <see cref="ReactionAdded"/>: the emoji's reactions, in the order they came, keep their place.</summary>
    public MessageState Apply(ReactionAdded e)
    {
        var at = Reactions.FindIndex(r => r.Emoji == e.Emoji);
        return this with
        {
            Reactions = at < 0 ? Reactions.Add(new EmojiReactions(e.Emoji, [e.UserId])) : Reactions.SetItem(at, Reactions[at] with { By = Reactions[at].By.Add(e.UserId) }),
        };
    }

    /// <summary>Folds <see cref="ReactionWithdrawn"/>: an emoji nobody reacts with any more goes.</summary>
    public MessageState Apply(ReactionWithdrawn e)
    {
        var at = Reactions.FindIndex(r => r.Emoji == e.Emoji);
        if (at < 0) return this;
        var by = Reactions[at].By.Remove(e.UserId);
        return this with { Reactions = by.IsEmpty ? Reactions.RemoveAt(at) : Reactions.SetItem(at, Reactions[at] with { By = by }) };
    }

    /// <summary>Folds <see cref="MessageReported"/> (Marten calls it to keep the snapshot).</summary>
    public MessageState Apply(MessageReported e) => this with { ReportedBy = ReportedBy.Add(e.ReportedBy) };

    /// <summary>Removed by an operator.</summary>
    public MessageState Apply(Safety.MessageRemovedByModeration e) => RemovedByModerationAt(e.At);

    /// <summary>
    /// Trust and safety's removal of the message: its text goes, in the stored message and in every version of the
    /// thread folded again from the events, and the thread says moderation removed it.
    /// </summary>
    public MessageState RemovedByModerationAt(DateTimeOffset? at) =>
        this with { Deleted = true, RemovedByModeration = true, Text = null, DeletedAt = at ?? DeletedAt };

    /// <summary>
    /// Folds one event into a conversation's messages by message id, in memory, as the stored documents are folded:
    /// reading a thread as of a version, what a reporter saw, and rewriting the messages an erasure masked.
    /// </summary>
    public static void Fold(IDictionary<string, MessageState> messages, object e)
    {
        switch (e)
        {
            case MessageSent sent: messages[sent.MessageId] = Create(sent); break;
            case ThanksSent thanks: messages[thanks.MessageId] = Create(thanks); break;
            case MessageEdited edited when messages.TryGetValue(edited.MessageId, out var m): messages[m.MessageId] = m.Apply(edited); break;
            case MessageDeleted deleted when messages.TryGetValue(deleted.MessageId, out var m): messages[m.MessageId] = m.Apply(deleted); break;
            case ReactionAdded added when messages.TryGetValue(added.MessageId, out var m): messages[m.MessageId] = m.Apply(added); break;
            case ReactionWithdrawn withdrawn when messages.TryGetValue(withdrawn.MessageId, out var m): messages[m.MessageId] = m.Apply(withdrawn); break;
            case MessageReported reported when messages.TryGetValue(reported.MessageId, out var m): messages[m.MessageId] = m.Apply(reported); break;
            case Safety.MessageRemovedByModeration removed when messages.TryGetValue(removed.MessageId, out var m): messages[m.MessageId] = m.Apply(removed); break;
        }
    }

}

/// <summary>The members who reacted to a message with one emoji, in the order they did.</summary>
public sealed record EmojiReactions(string Emoji, ImmutableList<string> By);

/// <summary>Messages <paramref name="From"/> to <paramref name="To"/>, inclusive; open-ended while <paramref name="To"/> is null.</summary>
public sealed record ReadSpan(long From, long? To)
{
    /// <summary>Whether message <paramref name="sequence"/> falls in this span.</summary>
    public bool Contains(long sequence) => sequence >= From && (To is null || sequence <= To);
}

/// <summary>Who wrote a message, and when.</summary>
public sealed record AuthoredAt(string Author, DateTimeOffset At);

/// <summary>
/// A conversation's state, as its decisions need it; evolved only by applying its events (an inline snapshot).
/// </summary>
public sealed record Conversation(
    string Id,
    ConversationKind Kind,
    string CreatedBy,
    string? RoomId,
    string? Title,
    ImmutableDictionary<string, Member> Members,
    long LastSequence,
    bool EverAccepted,
    DateTimeOffset StartedAt)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>
    /// Messages written by a member while someone they invited had not accepted (see <see cref="AwaitsAnswer"/>): what
    /// the rate limit on pending messages counts.
    /// </summary>
    public ImmutableList<AuthoredAt> SentAwaitingAnswer { get; init; } = [];

    /// <summary>
    /// Per member, until when a refusal of their messages by the pending pace is already on record: refusals before then
    /// are answered 429 but not recorded again, so hammering on the limit cannot grow the stream.
    /// </summary>
    public ImmutableDictionary<string, DateTimeOffset> PaceRecordedUntil { get; init; } = ImmutableDictionary<string, DateTimeOffset>.Empty;

    /// <summary>The creator invited someone who has not accepted yet: the pending-message pace looks here (by creator).</summary>
    public bool CreatorAwaitsAnswer { get; init; }

    /// <summary>
    /// Strangers (requested or suppressed, not admitted automatically) the conversation reached when it started: a
    /// start that reached none still counts once against the requests limit (<see cref="RequestQuota"/>).
    /// </summary>
    public int StrangersAtStart { get; init; }

    /// <summary>
    /// The messages a decision looks at: those its handler loaded (<see cref="MessageStates"/>), and those sent since
    /// in the same batch. A state as stored holds none, and keeps none of the messages folded into it: the folds that
    /// only keep the snapshot (the inline projection, a rebuild) gather nothing. Setting them makes the state hold them.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ImmutableDictionary<string, MessageState> Messages
    {
        get => HeldMessages ?? ImmutableDictionary<string, MessageState>.Empty;
        init => HeldMessages = value;
    }

    /// <summary>The messages held for decisions, null when the state holds none (as stored).</summary>
    private ImmutableDictionary<string, MessageState>? HeldMessages { get; init; }

    /// <summary>The state as its stored snapshot holds it and a load of it returns it: without <see cref="Messages"/>.</summary>
    public Conversation AsStored() => HeldMessages is null ? this : this with { HeldMessages = null };

    /// <summary>The place of <paramref name="userId"/> in this conversation, or null if they were never in it.</summary>
    public Member? MemberOf(string userId) => Members.GetValueOrDefault(userId);

    /// <summary>
    /// <paramref name="userId"/> invited someone who has not accepted yet, as far as <paramref name="userId"/> can
    /// tell: a pending request, or one declined, blocked, reported or suppressed, which they must not tell apart.
    /// </summary>
    public bool AwaitsAnswer(string userId) => AnyAwaitsAnswerFrom(Members, userId);

    /// <summary>A loop, not LINQ over the values: every message folds this, and LINQ allocated an iterator and a closure each time.</summary>
    private static bool AnyAwaitsAnswerFrom(ImmutableDictionary<string, Member> members, string userId)
    {
        foreach (var (_, member) in members)
            if (member.InvitedBy == userId && member.LooksInvited) return true;
        return false;
    }

    /// <summary>
    /// The most messages any person <paramref name="userId"/> invited, and who has not accepted, has been sent since
    /// their invitation: what the pending cap counts, per recipient.
    /// </summary>
    public long MostSentToUnansweredInviteeOf(string userId) =>
        Members.Values.Where(m => m.InvitedBy == userId && m.LooksInvited).Select(m => LastSequence - m.JoinedAtSequence).DefaultIfEmpty(0).Max();

    /// <summary>
    /// A message by <paramref name="author"/> would reach nobody who is in the conversation: only
    /// people who have not accepted (or look so to the author). Then the pending cap refuses it, instead of holding it back.
    /// </summary>
    public bool ReachesOnlyTheUnanswered(string author) =>
        !Members.Values.Any(m => m.UserId != author && m.Status == MemberStatus.Active);

    /// <summary>Members who have not accepted and for whom message <paramref name="sequence"/> would be one past the cap.</summary>
    public IEnumerable<Member> CappedBy(long sequence, string author, int cap) =>
        Members.Values.Where(m => m.UserId != author && m.LooksInvited && m.CappedAt is null && sequence - m.JoinedAtSequence > cap)
            .OrderBy(m => m.UserId, StringComparer.Ordinal);

    /// <summary>Message <paramref name="sequence"/> would reach someone who has not accepted (within their cap).</summary>
    public bool ReachesAnUnansweredInvitee(long sequence, string author, int cap) =>
        Members.Values.Any(m => m.UserId != author && m.LooksInvited && m.CappedAt is null && sequence - m.JoinedAtSequence <= cap);

    /// <summary>Stage and planning conversations have no request step: nobody's acceptance is awaited.</summary>
    public static Conversation Create(ConversationStarted e) => new(
        e.ConversationId, e.Kind, e.StartedBy, e.RoomId, null,
        ImmutableDictionary<string, Member>.Empty.Add(e.StartedBy, new Member(e.StartedBy, MemberStatus.Active, null, false, 0) { Reads = [new ReadSpan(1, null)] }), 0, EverAccepted: e.Kind.FollowsRoles(), e.At);

    /// <summary>Members of stage and planning conversations come and go with their roles, not by request or choice.</summary>
    public bool MembershipFollowsRoles => Kind.FollowsRoles();

    /// <summary>Folds <see cref="RequestSent"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(RequestSent e) => Reached(Join(e.To, MemberStatus.Pending, e.From, false));

    /// <summary>Folds <see cref="RequestAdmittedAutomatically"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(RequestAdmittedAutomatically e) => Join(e.To, MemberStatus.Active, e.From, false) with { EverAccepted = true };

    /// <summary>Someone who turned this conversation down stays so when suppressed on being invited again.</summary>
    public Conversation Apply(RequestSuppressed e) => Reached(Join(e.To, MemberStatus.Suppressed, e.From, false, MemberOf(e.To)?.TurnedDown ?? false));

    /// <summary>Folds <see cref="RequestAccepted"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(RequestAccepted e)
    {
        var accepted = WithStatus(e.To, MemberStatus.Active);
        return accepted.WithMember(accepted.Members[e.To] with { CappedAt = null }) with { EverAccepted = true };
    }

    /// <summary>Folds <see cref="PendingMessagesCapped"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(PendingMessagesCapped e) => WithMember(Members[e.UserId] with { CappedAt = e.UpToSequence });
    /// <summary>Folds <see cref="RequestDeclined"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(RequestDeclined e) => TurnDown(e.To, MemberStatus.Declined);
    /// <summary>Folds <see cref="RequesterBlocked"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(RequesterBlocked e) => TurnDown(e.To, MemberStatus.BlockedRequester);
    /// <summary>Folds <see cref="RequestReported"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(RequestReported e) => TurnDown(e.To, MemberStatus.Reported);

    /// <summary>Starts this state from <see cref="MessageSent"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MessageSent e) => WithNewMessage(e.Author, e.Sequence, e.At, HeldMessages is null ? null : MessageState.Create(e));
    /// <summary>Starts this state from <see cref="ThanksSent"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(ThanksSent e) => WithNewMessage(e.Author, e.Sequence, e.At, HeldMessages is null ? null : MessageState.Create(e));

    /// <summary>Folds <see cref="MemberJoinedByRole"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MemberJoinedByRole e) => Join(e.UserId, MemberStatus.Active, null, MemberOf(e.UserId)?.Muted ?? false);

    /// <summary>Folds <see cref="MemberLeftByRole"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MemberLeftByRole e) => WithStatus(e.UserId, MemberStatus.Left);

    /// <summary>Folds <see cref="MessageEdited"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MessageEdited e) => WithMessage(e.MessageId, m => m.Apply(e));

    /// <summary>Folds <see cref="PendingMessageSuppressedByRateLimit"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(PendingMessageSuppressedByRateLimit e) => this with { PaceRecordedUntil = PaceRecordedUntil.SetItem(e.From, e.RetryAt) };

    /// <summary>Folds <see cref="MessageDeleted"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MessageDeleted e) => WithMessage(e.MessageId, m => m.Apply(e));
    /// <summary>Folds <see cref="ReactionAdded"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(ReactionAdded e) => WithMessage(e.MessageId, m => m.Apply(e));
    /// <summary>Folds <see cref="ReactionWithdrawn"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(ReactionWithdrawn e) => WithMessage(e.MessageId, m => m.Apply(e));

    /// <summary>Folds <see cref="MessagesRead"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MessagesRead e) => WithMember(Members[e.UserId] with { ReadUpTo = e.UpToSequence });
    /// <summary>Folds <see cref="ConversationMuted"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(ConversationMuted e) => WithMember(Members[e.UserId] with { Muted = true });
    /// <summary>Folds <see cref="ConversationUnmuted"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(ConversationUnmuted e) => WithMember(Members[e.UserId] with { Muted = false });
    /// <summary>Folds <see cref="MemberLeft"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MemberLeft e) => WithStatus(e.UserId, MemberStatus.Left);
    /// <summary>Folds <see cref="MemberRemoved"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MemberRemoved e) => WithStatus(e.UserId, MemberStatus.Removed);
    /// <summary>Folds <see cref="GroupRenamed"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(GroupRenamed e) => this with { Title = e.Title };
    /// <summary>Folds <see cref="MessageReported"/> (Marten calls it to keep the snapshot).</summary>
    public Conversation Apply(MessageReported e) => WithMessage(e.MessageId, m => m.Apply(e));
    /// <summary>Folds <see cref="Safety.MessageRemovedByModeration"/>: the message counts as deleted.</summary>
    public Conversation Apply(Safety.MessageRemovedByModeration e) => WithMessage(e.MessageId, m => m.Apply(e));
    /// <summary>Folds <see cref="Safety.ReportDismissed"/>: a dismissal changes nothing a decision reads.</summary>
    public Conversation Apply(Safety.ReportDismissed _) => this;

    /// <summary>A message sent: <paramref name="held"/> is its state, made only when this state holds messages.</summary>
    private Conversation WithNewMessage(string author, long sequence, DateTimeOffset at, MessageState? held) => this with
    {
        LastSequence = sequence,
        HeldMessages = held is null ? HeldMessages : HeldMessages?.SetItem(held.MessageId, held),
        SentAwaitingAnswer = AwaitsAnswer(author) ? SentAwaitingAnswer.Add(new AuthoredAt(author, at)) : SentAwaitingAnswer,
        Members = Members.SetItem(author, Members[author] with { ReadUpTo = sequence }),
    };

    private Conversation WithMember(Member member)
    {
        var members = Members.SetItem(member.UserId, member);
        return this with
        {
            Members = members,
            CreatorAwaitsAnswer = AnyAwaitsAnswerFrom(members, CreatedBy),
        };
    }

    /// <summary>A newcomer, or someone back after they left: they read from the next message on.</summary>
    private Conversation Join(string userId, MemberStatus status, string? invitedBy, bool muted, bool turnedDown = false)
    {
        var reads = MemberOf(userId)?.Reads ?? [];
        // Someone suppressed never sees the conversation, so what is sent meanwhile is never theirs to read.
        if (status != MemberStatus.Suppressed && (reads.IsEmpty || reads[^1].To is not null)) reads = reads.Add(new ReadSpan(LastSequence + 1, null));
        return WithMember(new Member(userId, status, invitedBy, muted, LastSequence) { Reads = reads, JoinedAtSequence = LastSequence, TurnedDown = turnedDown });
    }

    /// <summary>A stranger reached before the opening message (sequence 1) was reached by the start itself.</summary>
    private Conversation Reached(Conversation next) => LastSequence == 0 ? next with { StrangersAtStart = StrangersAtStart + 1 } : next;

    private Conversation TurnDown(string userId, MemberStatus status)
    {
        var turned = WithStatus(userId, status);
        return turned.WithMember(turned.Members[userId] with { TurnedDown = true });
    }

    /// <summary>A member who can no longer see the conversation stops reading it at the last message so far.</summary>
    private Conversation WithStatus(string userId, MemberStatus status)
    {
        var member = Members[userId] with { Status = status };
        if (!member.CanSee && member.Reads is [.., { To: null } open]) member = member with { Reads = member.Reads.SetItem(member.Reads.Count - 1, open with { To = LastSequence }) };
        return WithMember(member);
    }

    /// <summary>A message this state does not hold (a snapshot's, not loaded) is changed in its own document only.</summary>
    private Conversation WithMessage(string messageId, Func<MessageState, MessageState> change) =>
        HeldMessages is { } held && held.TryGetValue(messageId, out var message) ? this with { HeldMessages = held.SetItem(messageId, change(message)) } : this;
}
