using Backchannel.Domain.Common;

namespace Backchannel.Domain.Conversations;

/// <summary>An event of a conversation's stream, keyed by the conversation's id: its membership, requests and messages.</summary>
public interface IConversationEvent : IStreamEvent
{
    /// <summary>The conversation whose stream it is.</summary>
    string ConversationId { get; }

    string IStreamEvent.StreamId => ConversationId;
}

/// <summary>
/// An event of a conversation about one of its messages. A message id is its client's and unique only within its
/// conversation, so the documents of a message are keyed by both (<see cref="MessageState.Key"/>).
/// </summary>
public interface IMessageEvent : IConversationEvent
{
    /// <summary>The message, within its conversation.</summary>
    string MessageId { get; }
}


/// <summary>
/// Direct: two people. Group: 3 or more, up to the configured limit. Stage: the speakers and moderators of a room.
/// Planning: the host and co-hosts of a scheduled event. Stage and planning members follow their roles, with no
/// request step.
/// </summary>
public enum ConversationKind
{
    /// <summary>Two people, or more, started by a request; members come and go by invitation.</summary>
    Direct,
    /// <summary>A named group its creator manages; members are invited and may leave.</summary>
    Group,
    /// <summary>A room's stage backchannel: its members are whoever is on the stage.</summary>
    Stage,
    /// <summary>An event's planning conversation: its members are the event's hosts.</summary>
    Planning,
}

// Events of a conversation's stream (stream key: the conversation id). Each names the conversation first,
// then who acted, and ends with when it happened. The request decisions are in Requests/RequestEvents.cs.

/// <summary>
/// <paramref name="StartedBy"/> started a conversation, optionally linked to a room or a scheduled event. The
/// recipients' fates follow as request events, then the opening message. (<paramref name="EventId"/> was added after
/// the first events were stored: those read it as null, which is what they meant.)
/// </summary>
public sealed record ConversationStarted(
    string ConversationId, ConversationKind Kind, string StartedBy, string? RoomId, string? EventId, DateTimeOffset At) : IConversationEvent;

/// <summary><paramref name="Author"/> sent message number <paramref name="Sequence"/> (1-based, gapless).</summary>
public sealed record MessageSent(
    string ConversationId, string MessageId, long Sequence, string Author, string Text, string? ReplyTo, DateTimeOffset At) : IMessageEvent;

/// <summary>The author replaced the text of a message.</summary>
public sealed record MessageEdited(string ConversationId, string MessageId, string Author, string Text, DateTimeOffset At) : IMessageEvent;

/// <summary>The author deleted a message: views keep a tombstone in its place.</summary>
public sealed record MessageDeleted(string ConversationId, string MessageId, string Author, DateTimeOffset At) : IMessageEvent;

/// <summary>A member reacted to a message with an emoji.</summary>
public sealed record ReactionAdded(string ConversationId, string MessageId, string UserId, string Emoji, DateTimeOffset At) : IMessageEvent;

/// <summary>A member took back a reaction.</summary>
public sealed record ReactionWithdrawn(string ConversationId, string MessageId, string UserId, string Emoji, DateTimeOffset At) : IMessageEvent;

/// <summary>A member has read up to and including message <paramref name="UpToSequence"/>.</summary>
public sealed record MessagesRead(string ConversationId, string UserId, string UpToMessageId, long UpToSequence, DateTimeOffset At) : IConversationEvent;

/// <summary>A member muted the conversation.</summary>
public sealed record ConversationMuted(string ConversationId, string UserId, DateTimeOffset At) : IConversationEvent;

/// <summary>A member unmuted the conversation.</summary>
public sealed record ConversationUnmuted(string ConversationId, string UserId, DateTimeOffset At) : IConversationEvent;

/// <summary>A member left: the conversation leaves their inbox and they can no longer write in it.</summary>
public sealed record MemberLeft(string ConversationId, string UserId, DateTimeOffset At) : IConversationEvent;

/// <summary>A member gave the group a name.</summary>
public sealed record GroupRenamed(string ConversationId, string RenamedBy, string Title, DateTimeOffset At) : IConversationEvent;

/// <summary>The group's creator removed a member.</summary>
public sealed record MemberRemoved(string ConversationId, string UserId, string RemovedBy, DateTimeOffset At) : IConversationEvent;

/// <summary>A member reported a message to trust and safety.</summary>
public sealed record MessageReported(
    string ConversationId, string MessageId, string ReportedBy, string Author, string? Reason, DateTimeOffset At) : IMessageEvent;

/// <summary>
/// <paramref name="UserId"/> joined a conversation whose membership follows a role (<see cref="MembershipRoles"/>):
/// promoted to a room's stage, made co-host of an event. No request step.
/// </summary>
public sealed record MemberJoinedByRole(string ConversationId, string UserId, string Role, DateTimeOffset At) : IConversationEvent;

/// <summary><paramref name="UserId"/> lost the role that made them a member (moved to the audience, left the room, no longer co-host).</summary>
public sealed record MemberLeftByRole(string ConversationId, string UserId, string Role, DateTimeOffset At) : IConversationEvent;

/// <summary>
/// <paramref name="Author"/> thanked <paramref name="To"/> for a room or an event: a message of its own kind, number
/// <paramref name="Sequence"/> of the conversation like any message.
/// </summary>
public sealed record ThanksSent(
    string ConversationId, string MessageId, long Sequence, string Author, string To, string Text,
    string? RoomId, string? EventId, DateTimeOffset At) : IMessageEvent;

/// <summary>
/// <paramref name="UserId"/>, who has not accepted their request, has been sent as many messages as a pending request
/// shows (up to <paramref name="UpToSequence"/>): later messages wait until they accept. Recorded by the next message, for
/// a request declined, blocked, reported or suppressed exactly as for one still waiting.
/// </summary>
public sealed record PendingMessagesCapped(string ConversationId, string UserId, long UpToSequence, DateTimeOffset At) : IConversationEvent;

/// <summary>The roles that carry a conversation membership with them.</summary>
public static class MembershipRoles
{
    /// <summary>Being on a room's stage: a speaker or a moderator.</summary>
    public const string Stage = "stage";
    /// <summary>Hosting an event.</summary>
    public const string Host = "host";
    /// <summary>Co-hosting an event.</summary>
    public const string CoHost = "co_host";
}

internal static class ConversationKinds
{
    public static bool FollowsRoles(this ConversationKind kind) => kind is ConversationKind.Stage or ConversationKind.Planning;
}

/// <summary>
/// The free text of a conversation's events and who wrote it: what an erasure masks (<see cref="Privacy.ProtectedInformation"/>).
/// Reactions are kept: an emoji is one pictograph chosen from a closed set, not text.
/// </summary>
public static class ConversationProtectedText
{
    /// <summary>Messages, their edits, thank-you notes, group names, report reasons.</summary>
    public static readonly IReadOnlyList<Privacy.ProtectedText> Rules =
    [
        Privacy.ProtectedText.Of<MessageSent>(e => e.Author, e => e with { Text = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<MessageEdited>(e => e.Author, e => e with { Text = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<ThanksSent>(e => e.Author, e => e with { Text = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<GroupRenamed>(e => e.RenamedBy, e => e with { Title = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<MessageReported>(e => e.ReportedBy, e => e with { Reason = null }, about: e => e.Author),
    ];
}
