using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Conversations;

/// <summary>Mark the conversation read up to and including a message. Reading backwards is a no-op.</summary>
public sealed record MarkRead(string ConversationId, string UserId, string UpToMessageId)
{
    /// <summary>
    /// The input rules of <see cref="MarkRead"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<MarkRead>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.UpToMessageId).MustBeId();
        }
    }
}

/// <summary>Mute (or, with <c>Muted = false</c>, unmute) a conversation for yourself.</summary>
public sealed record MuteConversation(string ConversationId, string UserId, bool Muted)
{
    /// <summary>
    /// The input rules of <see cref="MuteConversation"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<MuteConversation>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
        }
    }
}

/// <summary>Leave a conversation you are in.</summary>
public sealed record LeaveConversation(string ConversationId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="LeaveConversation"/>: Wolverine runs them before the handler, and a failure
    /// answers 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<LeaveConversation>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="MarkRead"/>, <see cref="MuteConversation"/>, <see cref="LeaveConversation"/>:
/// loads the state, runs the pure decision and appends its events. Public only because Wolverine discovers public
/// handler types; send the commands through <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class MembershipHandler
{
    /// <summary>A pending recipient may read too; the requester never sees it (the views hide their marker).</summary>
    internal static IReadOnlyList<object> Decide(MarkRead command, Conversation? conversation, DateTimeOffset now)
    {
        var member = conversation.RequireVisible(command.UserId);
        var message = conversation.RequireMessage(command.UpToMessageId, command.UserId, "upToMessageId");
        return message.Sequence <= member.ReadUpTo
            ? []
            : [new MessagesRead(conversation.Id, command.UserId, command.UpToMessageId, message.Sequence, now)];
    }

    internal static IReadOnlyList<object> Decide(MuteConversation command, Conversation? conversation, DateTimeOffset now)
    {
        var member = conversation.RequireActive(command.UserId);
        if (member.Muted == command.Muted) return [];
        return command.Muted
            ? [new ConversationMuted(conversation.Id, command.UserId, now)]
            : [new ConversationUnmuted(conversation.Id, command.UserId, now)];
    }

    /// <summary>A pending recipient declines rather than leaves; a stage or planning member leaves with their role.</summary>
    internal static IReadOnlyList<object> Decide(LeaveConversation command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        if (conversation.MembershipFollowsRoles)
            throw RuleViolation.Conflict("membership_follows_role",
                "You are in this conversation because of your role in its room or event; it ends with the role.");
        return [new MemberLeft(conversation.Id, command.UserId, now)];
    }

    /// <summary>
    /// Decides <see cref="MarkRead"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(MarkRead command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideOnMessagesAsync(command.ConversationId, [command.UpToMessageId], c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="MuteConversation"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(MuteConversation command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="LeaveConversation"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(LeaveConversation command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), context, ct);
}
