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
    public long ReadUpToSequence { get; set; }
    public string? ReadUpToMessageId { get; set; }
    public DateTimeOffset? ReadAt { get; set; }
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
