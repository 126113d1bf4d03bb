using Backchannel.Domain.Conversations;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// One message of a thread as stored: its text (null once deleted: a tombstone), edits and reactions. Keyed by
/// <see cref="KeyOf"/>, the conversation and the message: a message id is chosen by its client and unique only within
/// its conversation, so the same id in two conversations names two documents.
/// </summary>
public sealed class ThreadMessage
{
    /// <summary>The document's key: <see cref="KeyOf"/>.</summary>
    public string Id { get; set; } = "";
    /// <summary>The message id, unique within its conversation.</summary>
    public string MessageId { get; set; } = "";
    /// <summary>The conversation the message was sent in.</summary>
    public string ConversationId { get; set; } = "";
    /// <summary>The message's place in its conversation, from 1.</summary>
    public long Sequence { get; set; }
    /// <summary>A message or a thank-you note.</summary>
    public MessageKind Kind { get; set; }
    /// <summary>Who sent it.</summary>
    public string Author { get; set; } = "";
    /// <summary>Whom a thank-you note thanks.</summary>
    public string? ThanksTo { get; set; }
    /// <summary>The text, as last edited; null once deleted.</summary>
    public string? Text { get; set; }
    /// <summary>The message this one replies to, if any.</summary>
    public string? ReplyTo { get; set; }
    /// <summary>When it was sent.</summary>
    public DateTimeOffset SentAt { get; set; }
    /// <summary>When it was last edited.</summary>
    public DateTimeOffset? EditedAt { get; set; }
    /// <summary>How many times it was edited.</summary>
    public int Edits { get; set; }
    /// <summary>Whether its author deleted it: the thread shows a tombstone.</summary>
    public bool Deleted { get; set; }
    /// <summary>When it was deleted.</summary>
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary>Deleted by an operator, not by its author: the thread says moderation removed it.</summary>
    public bool RemovedByModeration { get; set; }

    /// <summary>The reactions on it, one per emoji.</summary>
    public List<ReactionView> Reactions { get; set; } = [];

    /// <summary>The key of message <paramref name="messageId"/> of conversation <paramref name="conversationId"/>.</summary>
    public static string KeyOf(string conversationId, string messageId) => MessageState.Key(conversationId, messageId);

    /// <summary>The message as a member reads it in the thread.</summary>
    public MessageView ToView() => new(MessageId, ConversationId, Sequence, Kind, Author, ThanksTo, Text, ReplyTo, SentAt, EditedAt, Edits,
        Deleted, DeletedAt, Reactions.Select(r => new ReactionView { Emoji = r.Emoji, By = [.. r.By] }).ToList(), RemovedByModeration);
}

/// <summary>A message as a member reads it in a thread: <see cref="Id"/> is the message's id in its conversation.</summary>
public sealed record MessageView(
    string Id,
    string ConversationId,
    long Sequence,
    MessageKind Kind,
    string Author,
    string? ThanksTo,
    string? Text,
    string? ReplyTo,
    DateTimeOffset SentAt,
    DateTimeOffset? EditedAt,
    int Edits,
    bool Deleted,
    DateTimeOffset? DeletedAt,
    IReadOnlyList<ReactionView> Reactions,
    bool RemovedByModeration = false);

/// <summary>One emoji on a message and who gave it, in the order they did.</summary>
public sealed class ReactionView
{
    /// <summary>The emoji.</summary>
    public string Emoji { get; set; } = "";
    /// <summary>Who reacted with it, in order.</summary>
    public List<string> By { get; set; } = [];
}
