using Backchannel.Domain.Conversations;
using Backchannel.Domain.Safety;
using Marten.Events.Projections;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// Builds one <see cref="ThreadMessage"/> per message, keyed by its conversation and its id (inline). Its static methods are also
/// the fold that reads a thread as of an earlier version (<see cref="ThreadQueries"/>).
/// </summary>
internal partial class ThreadMessageProjection : MultiStreamProjection<ThreadMessage, string>
{
    public ThreadMessageProjection()
    {
        Identity<MessageSent>(MessageState.KeyOf);
        Identity<ThanksSent>(MessageState.KeyOf);
        Identity<MessageEdited>(MessageState.KeyOf);
        Identity<MessageDeleted>(MessageState.KeyOf);
        Identity<ReactionAdded>(MessageState.KeyOf);
        Identity<ReactionWithdrawn>(MessageState.KeyOf);
        Identity<MessageRemovedByModeration>(MessageState.KeyOf);
    }

    /// <summary>
    /// Folds one event into a conversation's messages by message id, in memory, as the inline view does: reading a
    /// thread as of a version, and rewriting the messages an erasure masked.
    /// </summary>
    public static void Fold(IDictionary<string, ThreadMessage> messages, object e)
    {
        switch (e)
        {
            case MessageSent sent: messages[sent.MessageId] = Create(sent); break;
            case ThanksSent thanks: messages[thanks.MessageId] = Create(thanks); break;
            case MessageEdited edited when messages.TryGetValue(edited.MessageId, out var m): Apply(edited, m); break;
            case MessageDeleted deleted when messages.TryGetValue(deleted.MessageId, out var m): Apply(deleted, m); break;
            case ReactionAdded added when messages.TryGetValue(added.MessageId, out var m): Apply(added, m); break;
            case ReactionWithdrawn withdrawn when messages.TryGetValue(withdrawn.MessageId, out var m): Apply(withdrawn, m); break;
            case MessageRemovedByModeration removed when messages.TryGetValue(removed.MessageId, out var m): Apply(removed, m); break;
        }
    }

    public static ThreadMessage Create(MessageSent e) => new()
    {
        Id = ThreadMessage.KeyOf(e.ConversationId, e.MessageId),
        MessageId = e.MessageId,
        ConversationId = e.ConversationId,
        Sequence = e.Sequence,
        Author = e.Author,
        Text = e.Text,
        ReplyTo = e.ReplyTo,
        SentAt = e.At,
    };

    public static ThreadMessage Create(ThanksSent e) => new()
    {
        Id = ThreadMessage.KeyOf(e.ConversationId, e.MessageId),
        MessageId = e.MessageId,
        ConversationId = e.ConversationId,
        Sequence = e.Sequence,
        Kind = MessageKind.Thanks,
        Author = e.Author,
        ThanksTo = e.To,
        Text = e.Text,
        SentAt = e.At,
    };

    public static void Apply(MessageEdited e, ThreadMessage message)
    {
        message.Text = e.Text;
        message.EditedAt = e.At;
        message.Edits++;
    }

    public static void Apply(MessageDeleted e, ThreadMessage message)
    {
        message.Text = null;
        message.Deleted = true;
        message.DeletedAt = e.At;
        message.Reactions.Clear();
    }

    /// <summary>An operator removed the message: see <see cref="RemoveByModeration"/>.</summary>
    public static void Apply(MessageRemovedByModeration e, ThreadMessage message) => RemoveByModeration(message, e.At);

    /// <summary>
    /// Trust and safety's removal of a message: its text and reactions go, in this view and in every version of the
    /// thread (<see cref="ThreadQueries.ThreadAsOfAsync"/>), and the thread says moderation removed it.
    /// </summary>
    public static void RemoveByModeration(ThreadMessage message, DateTimeOffset? at)
    {
        message.Text = null;
        message.Deleted = true;
        message.DeletedAt = at ?? message.DeletedAt;
        message.RemovedByModeration = true;
        message.Reactions.Clear();
    }

    public static void Apply(ReactionAdded e, ThreadMessage message)
    {
        var reaction = message.Reactions.Find(r => r.Emoji == e.Emoji);
        if (reaction is null) message.Reactions.Add(reaction = new ReactionView { Emoji = e.Emoji });
        reaction.By.Add(e.UserId);
    }

    public static void Apply(ReactionWithdrawn e, ThreadMessage message)
    {
        var reaction = message.Reactions.Find(r => r.Emoji == e.Emoji);
        reaction?.By.Remove(e.UserId);
        if (reaction is { By.Count: 0 }) message.Reactions.Remove(reaction);
    }
}
