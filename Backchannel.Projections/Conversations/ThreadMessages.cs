using Backchannel.Domain.Conversations;
using Marten;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// A thread is read from the messages as stored for decisions (<see cref="MessageState"/>): one document per message,
/// written once, shown through <see cref="ToView"/>, which leaves out what only decisions read (who reported it).
/// </summary>
public static class ThreadMessages
{
    /// <summary>The message as a member reads it in the thread: a tombstone keeps no text and no reactions.</summary>
    public static MessageView ToView(this MessageState m) => new(m.MessageId, m.ConversationId, m.Sequence,
        m.ThanksTo is null ? MessageKind.Message : MessageKind.Thanks, m.Author, m.ThanksTo, m.Deleted ? null : m.Text, m.ReplyTo,
        m.SentAt, m.EditedAt, m.Edits, m.Deleted, m.DeletedAt,
        m.Deleted ? [] : m.Reactions.Select(r => new ReactionView { Emoji = r.Emoji, By = [.. r.By] }).ToList(), m.RemovedByModeration);

    /// <summary>
    /// Brings <paramref name="messages"/>, folded from the conversation's past, up to what has happened to them since:
    /// a message deleted or removed by moderation since is so in every version of the thread, its text gone, as it is
    /// in the stored one.
    /// </summary>
    internal static async Task DeletedSinceAsync(this IQuerySession session, string conversationId,
        IDictionary<string, MessageState> messages, CancellationToken ct)
    {
        // Whole documents, not a projection of their fields: PostgreSQL's timestamptz would cut DeletedAt to microseconds.
        var now = (await session.Query<MessageState>()
            .Where(m => m.ConversationId == conversationId && m.Deleted)
            .ToListAsync(ct)).ToDictionary(m => m.MessageId);
        foreach (var message in messages.Values.ToList())
        {
            if (!now.TryGetValue(message.MessageId, out var since)) continue;
            if (since.RemovedByModeration) messages[message.MessageId] = message.RemovedByModerationAt(since.DeletedAt);
            else if (!message.Deleted) messages[message.MessageId] = message.Apply(new MessageDeleted(conversationId, message.MessageId, message.Author, since.DeletedAt ?? default));
        }
    }
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
