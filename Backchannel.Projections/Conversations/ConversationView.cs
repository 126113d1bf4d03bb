using Backchannel.Domain.Conversations;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// One conversation as its members' views need it: members with their status, read marker and mute, the opening
/// and the last message. Inbox and requests inbox are queries over these, filtered by member.
/// </summary>
public sealed class ConversationView
{
    /// <summary>The conversation id.</summary>
    public string Id { get; set; } = "";
    /// <summary>Direct, group, stage or planning.</summary>
    public ConversationKind Kind { get; set; }
    /// <summary>Who started the conversation.</summary>
    public string CreatedBy { get; set; } = "";
    /// <summary>A group's name; null until it is named, and for other kinds.</summary>
    public string? Title { get; set; }
    /// <summary>The room the conversation was started from or belongs to, if any.</summary>
    public string? RoomId { get; set; }
    /// <summary>The scheduled event the conversation belongs to or thanks for, if any.</summary>
    public string? EventId { get; set; }
    /// <summary>When the conversation was started.</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>When the last message was sent or the last request decided: the inbox's order.</summary>
    public DateTimeOffset LastActivityAt { get; set; }
    /// <summary>The sequence of the last message.</summary>
    public long LastSequence { get; set; }
    /// <summary>The message that opened the conversation, as a requests inbox shows it.</summary>
    public MessagePreview? OpeningMessage { get; set; }
    /// <summary>The last message, as the inbox shows it.</summary>
    public MessagePreview? LastMessage { get; set; }
    /// <summary>Everyone who was ever in the conversation or invited to it.</summary>
    public List<MemberView> Members { get; set; } = [];

    /// <summary>Active members: the conversation is in their inbox.</summary>
    public List<string> InboxOf { get; set; } = [];

    /// <summary>Members with a pending request: the conversation is in their requests inbox.</summary>
    public List<string> RequestsOf { get; set; } = [];

    /// <summary>The stream version the view was built up to (Marten keeps it).</summary>
    public long Version { get; set; }

    /// <summary>The place of <paramref name="userId"/> in the conversation, or null if they were never in it.</summary>
    public MemberView? MemberOf(string userId)
    {
        // A loop, not Find with a lambda: every fold and every push item asks, and a lambda allocates a closure per call.
        foreach (var member in Members)
            if (member.UserId == userId) return member;
        return null;
    }
}

/// <summary>One person's place in a conversation, as stored; what others may see of it is decided when read.</summary>
public sealed class MemberView
{
    /// <summary>The member's handle.</summary>
    public string UserId { get; set; } = "";
    /// <summary>Where the member stands: active, pending, declined, left, removed...</summary>
    public MemberStatus Status { get; set; }
    /// <summary>Who invited them; null for the creator.</summary>
    public string? InvitedBy { get; set; }
    /// <summary>When their status last changed.</summary>
    public DateTimeOffset Since { get; set; }
    /// <summary>Whether they muted the conversation.</summary>
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

    /// <summary>The sequence of the last message they marked read.</summary>
    public long ReadUpToSequence { get; set; }
    /// <summary>The id of the last message they marked read.</summary>
    public string? ReadUpToMessageId { get; set; }
    /// <summary>When they last marked messages read.</summary>
    public DateTimeOffset? ReadAt { get; set; }

    /// <summary>While this member has not accepted, the last message their request shows; null when nothing is held back.</summary>
    public long? CappedAt { get; set; }

    /// <summary>
    /// Whether message <paramref name="sequence"/> was sent while this member was in the conversation or invited, and,
    /// while they have not accepted, within what their request shows.
    /// </summary>
    public bool MayRead(long sequence)
    {
        if (CappedAt is { } cap && sequence > cap) return false;
        if (History.Count == 0) return true;
        foreach (var span in History)
            if (span.Contains(sequence)) return true;
        return false;
    }
}

/// <summary>Messages <see cref="From"/> to <see cref="To"/> (inclusive; open-ended while <see cref="To"/> is null).</summary>
public sealed class HistorySpan
{
    /// <summary>The first message sequence of the span.</summary>
    public long From { get; set; }
    /// <summary>The last message sequence of the span; null while it is open.</summary>
    public long? To { get; set; }

    /// <summary>Whether message <paramref name="sequence"/> falls in this span.</summary>
    public bool Contains(long sequence) => sequence >= From && (To is null || sequence <= To);
}

/// <summary>A plain message, or a thank-you note.</summary>
public enum MessageKind
{
    /// <summary>A message sent in the conversation.</summary>
    Message,
    /// <summary>A thank-you note, which opened the conversation.</summary>
    Thanks,
}

/// <summary>A message as a list shows it: its first characters, or a tombstone.</summary>
public sealed record MessagePreview(string MessageId, long Sequence, string Author, MessageKind Kind, string? Text, DateTimeOffset At, bool Deleted)
{
    /// <summary>How many characters of a message a preview keeps.</summary>
    public const int Length = 140;

    /// <summary>The preview of a message: its text cut to <see cref="Length"/> characters.</summary>
    public static MessagePreview Of(string messageId, long sequence, string author, MessageKind kind, string text, DateTimeOffset at) =>
        new(messageId, sequence, author, kind, text.Length <= Length ? text : text[..Length] + "…", at, false);
}
