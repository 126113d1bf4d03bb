using Backchannel.Domain.Conversations;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// One conversation as its members' views need it: members with their status, read marker and mute, the opening
/// and the last message. Inbox and requests inbox are queries over these, filtered by member.
/// </summary>
public sealed class ConversationView
{
    public string Id { get; set; } = "";
    public ConversationKind Kind { get; set; }
    public string CreatedBy { get; set; } = "";
    public string? Title { get; set; }
    public string? RoomId { get; set; }
    public string? EventId { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastActivityAt { get; set; }
    public long LastSequence { get; set; }
    public MessagePreview? OpeningMessage { get; set; }
    public MessagePreview? LastMessage { get; set; }
    public List<MemberView> Members { get; set; } = [];

    /// <summary>Active members: the conversation is in their inbox.</summary>
    public List<string> InboxOf { get; set; } = [];

    /// <summary>Members with a pending request: the conversation is in their requests inbox.</summary>
    public List<string> RequestsOf { get; set; } = [];

    public long Version { get; set; }

    public MemberView? MemberOf(string userId) => Members.Find(m => m.UserId == userId);
}

/// <summary>One person's place in a conversation, as stored; what others may see of it is decided when read.</summary>
public sealed class MemberView
{
    public string UserId { get; set; } = "";
    public MemberStatus Status { get; set; }
    public string? InvitedBy { get; set; }
    public DateTimeOffset Since { get; set; }
    public bool Muted { get; set; }

    /// <summary>
    /// How many changes this member has seen of the conversation (<see cref="ViewerRules.SeesEvent"/>): the
    /// <c>version</c> their thread shows and <c>?asOfVersion=</c> takes. It counts only what they may see, so events
    /// hidden from them (another member's decline, a pending member's read, someone's mute) neither move it nor leave
    /// a gap in it, as a stream version would.
    /// </summary>
    public long SeenVersion { get; set; }

    /// <summary>
    /// The runs of message sequences this member may read: from when they were invited or joined to when they left
    /// (open while they are in). PRODUCT.md, history visibility. Empty for someone suppressed, who never sees the
    /// conversation, and in a view stored before history visibility, read as "everything" until it is rebuilt.
    /// </summary>
    public List<HistorySpan> History { get; set; } = [];

    public long ReadUpToSequence { get; set; }
    public string? ReadUpToMessageId { get; set; }
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>While this member has not accepted, the last message their request shows; null when nothing is held back.</summary>
    public long? CappedAt { get; set; }

    /// <summary>
    /// Whether message <paramref name="sequence"/> was sent while this member was in the conversation or invited, and,
    /// while they have not accepted, within what their request shows.
    /// </summary>
    public bool MayRead(long sequence) =>
        (CappedAt is null || sequence <= CappedAt) && (History.Count == 0 || History.Exists(span => span.Contains(sequence)));
}

/// <summary>Messages <see cref="From"/> to <see cref="To"/> (inclusive; open-ended while <see cref="To"/> is null).</summary>
public sealed class HistorySpan
{
    public long From { get; set; }
    public long? To { get; set; }

    public bool Contains(long sequence) => sequence >= From && (To is null || sequence <= To);
}

/// <summary>A plain message, or a thank-you note.</summary>
public enum MessageKind
{
    Message,
    Thanks,
}

/// <summary>A message as a list shows it: its first characters, or a tombstone.</summary>
public sealed record MessagePreview(string MessageId, long Sequence, string Author, MessageKind Kind, string? Text, DateTimeOffset At, bool Deleted)
{
    public const int Length = 140;

    public static MessagePreview Of(string messageId, long sequence, string author, MessageKind kind, string text, DateTimeOffset at) =>
        new(messageId, sequence, author, kind, text.Length <= Length ? text : text[..Length] + "…", at, false);
}
