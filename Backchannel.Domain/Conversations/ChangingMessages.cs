using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Conversations;

/// <summary>Replace the text of your own message.</summary>
public sealed record EditMessage(string ConversationId, string MessageId, string Author, string Text)
{
    /// <summary>
    /// The input rules of <see cref="EditMessage"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<EditMessage>
    {
        /// <summary>Declares the rules.</summary>
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
    /// <summary>
    /// The input rules of <see cref="DeleteMessage"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<DeleteMessage>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.Author).MustBeHandle();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="EditMessage"/>, <see cref="DeleteMessage"/>: loads the state, runs the pure
/// decision and appends its events. Public only because Wolverine discovers public handler types; send the commands
/// through <c>IMessageBus</c> instead of calling it.
/// </summary>
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

    /// <summary>
    /// Decides <see cref="EditMessage"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(EditMessage command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideOnMessagesAsync(command.ConversationId, [command.MessageId], c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="DeleteMessage"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(DeleteMessage command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideOnMessagesAsync(command.ConversationId, [command.MessageId], c => Decide(command, c, clock.GetUtcNow()), context, ct);
}
