using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Conversations;

/// <summary>React to a message with an emoji; the same reaction twice is a no-op.</summary>
public sealed record ReactToMessage(string ConversationId, string MessageId, string UserId, string Emoji)
{
    /// <summary>
    /// The input rules of <see cref="ReactToMessage"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<ReactToMessage>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Emoji).MustBeEmoji();
        }
    }
}

/// <summary>Take back one of your reactions; withdrawing one you did not give is a no-op.</summary>
public sealed record WithdrawReaction(string ConversationId, string MessageId, string UserId, string Emoji)
{
    /// <summary>
    /// The input rules of <see cref="WithdrawReaction"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<WithdrawReaction>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Emoji).MustBeStoredReaction();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="ReactToMessage"/>, <see cref="WithdrawReaction"/>: loads the state, runs the pure
/// decision and appends its events. Public only because Wolverine discovers public handler types; send the commands
/// through <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class ReactingHandler
{
    internal static IReadOnlyList<object> Decide(ReactToMessage command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        var message = conversation.RequireMessage(command.MessageId, command.UserId);
        if (message.Deleted) throw RuleViolation.Conflict("message_deleted", "The message was deleted.", "messageId");
        return message.HasReaction(command.UserId, command.Emoji)
            ? []
            : [new ReactionAdded(conversation.Id, command.MessageId, command.UserId, command.Emoji, now)];
    }

    internal static IReadOnlyList<object> Decide(WithdrawReaction command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        var message = conversation.RequireMessage(command.MessageId, command.UserId);
        return message.HasReaction(command.UserId, command.Emoji)
            ? [new ReactionWithdrawn(conversation.Id, command.MessageId, command.UserId, command.Emoji, now)]
            : [];
    }

    /// <summary>
    /// Decides <see cref="ReactToMessage"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(ReactToMessage command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideOnMessagesAsync(command.ConversationId, [command.MessageId], c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="WithdrawReaction"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(WithdrawReaction command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideOnMessagesAsync(command.ConversationId, [command.MessageId], c => Decide(command, c, clock.GetUtcNow()), context, ct);
}
