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
    public string MessageId { get; set; } = "";
    public string ConversationId { get; set; } = "";
    public long Sequence { get; set; }
    public MessageKind Kind { get; set; }
    public string Author { get; set; } = "";
    /// <summary>Whom a thank-you note thanks.</summary>
    public string? ThanksTo { get; set; }
    public string? Text { get; set; }
    public string? ReplyTo { get; set; }
    public DateTimeOffset SentAt { get; set; }
    public DateTimeOffset? EditedAt { get; set; }
    public int Edits { get; set; }
    public bool Deleted { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    /// <summary>Deleted by an operator, not by its author: the thread says moderation removed it.</summary>
    public bool RemovedByModeration { get; set; }
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
    public string Emoji { get; set; } = "";
    public List<string> By { get; set; } = [];
}
