using Backchannel.Domain.Common;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Conversations;

/// <summary>Replace the text of your own message.</summary>
public sealed record EditMessage(string ConversationId, string MessageId, string Author, string Text)
{
    public sealed class Validator : AbstractValidator<EditMessage>
    {
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.Author).MustBeHandle();
            RuleFor(x => x.Text).MustBeMessageText();
        }
    }
}

/// <summary>Delete your own message; the thread keeps a tombstone.</summary>
public sealed record DeleteMessage(string ConversationId, string MessageId, string Author)
{
    public sealed class Validator : AbstractValidator<DeleteMessage>
    {
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.Author).MustBeHandle();
        }
    }
}

public static class ChangingMessagesHandler
{
    internal static IReadOnlyList<object> Decide(EditMessage command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.Author);
        conversation.RequireOwnLiveMessage(command.MessageId, command.Author);
        return [new MessageEdited(conversation.Id, command.MessageId, command.Author, command.Text, now)];
    }

    /// <summary>Deleting a deleted message is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(DeleteMessage command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.Author);
        var message = conversation.RequireMessage(command.MessageId, command.Author);
        if (message.Author != command.Author)
            throw RuleViolation.Forbidden("not_the_author", "Only the author may delete a message.", "messageId");
        return message.Deleted ? [] : [new MessageDeleted(conversation.Id, command.MessageId, command.Author, now)];
    }

    public static Task Handle(EditMessage command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideOnMessagesAsync(command.ConversationId, [command.MessageId], c => Decide(command, c, clock.GetUtcNow()), ct);

    public static Task Handle(DeleteMessage command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideOnMessagesAsync(command.ConversationId, [command.MessageId], c => Decide(command, c, clock.GetUtcNow()), ct);
}
