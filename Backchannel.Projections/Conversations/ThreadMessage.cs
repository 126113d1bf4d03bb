namespace Backchannel.Projections.Conversations;

/// <summary>One message of a thread: its text (null once deleted: a tombstone), edits and reactions.</summary>
public sealed class ThreadMessage
{
    public string Id { get; set; } = "";
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
    public List<ReactionView> Reactions { get; set; } = [];
}

/// <summary>One emoji on a message and who gave it, in the order they did.</summary>
public sealed class ReactionView
{
    public string Emoji { get; set; } = "";
    public List<string> By { get; set; } = [];
}
