using System.Collections.Immutable;
using Backchannel.Domain.Common;
using Marten;
using Marten.Events.Projections;

namespace Backchannel.Domain.Conversations;

/// <summary>
/// Keeps one <see cref="MessageState"/> document per message (inline), folded by its own Create and Apply: what
/// decisions on the message read, and what its thread shows.
/// </summary>
internal sealed class MessageStateProjection : MultiStreamProjection<MessageState, string>
{
    public MessageStateProjection()
    {
        Identity<MessageSent>(MessageState.KeyOf);
        Identity<ThanksSent>(MessageState.KeyOf);
        Identity<MessageEdited>(MessageState.KeyOf);
        Identity<MessageDeleted>(MessageState.KeyOf);
        Identity<ReactionAdded>(MessageState.KeyOf);
        Identity<ReactionWithdrawn>(MessageState.KeyOf);
        Identity<MessageReported>(MessageState.KeyOf);
        Identity<Safety.MessageRemovedByModeration>(e => MessageState.Key(e.ConversationId, e.MessageId));
    }
}

/// <summary>The I/O shell of decisions on a conversation that look at some of its messages.</summary>
internal static class MessageStates
{
    /// <summary>
    /// A decision on a conversation (its row locked for the transaction) that also reads the named messages' state:
    /// one more query, whatever the thread's length.
    /// </summary>
    public static Task<IReadOnlyList<object>> DecideOnMessagesAsync(this IDocumentSession session, string conversationId,
        IEnumerable<string?> messageIds, Func<Conversation?, IReadOnlyList<object>> decide, CancellationToken ct) =>
        session.DecideAsync(conversationId, c => session.WithMessagesAsync(c, messageIds, ct), decide, ct);

    /// <summary>The conversation with the state of these of its messages that exist.</summary>
    public static async Task<Conversation?> WithMessagesAsync(this IQuerySession session, Conversation? conversation,
        IEnumerable<string?> messageIds, CancellationToken ct)
    {
        if (conversation is null) return null;
        var keys = messageIds.OfType<string>().Distinct().Select(id => MessageState.Key(conversation.Id, id)).ToList();
        if (keys.Count == 0) return conversation;
        var messages = await session.LoadManyAsync<MessageState>(ct, keys);
        return conversation with { Messages = messages.ToImmutableDictionary(m => m.MessageId) };
    }
}
