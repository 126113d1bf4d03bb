using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.People;

/// <summary>Choose who may start a conversation with you.</summary>
public sealed record SetMessagePolicy(string UserId, MessagePolicy Policy)
{
    /// <summary>
    /// The input rules of <see cref="SetMessagePolicy"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<SetMessagePolicy>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Policy).IsInEnum();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="SetMessagePolicy"/>: loads the state, runs the pure decision and appends its
/// events. Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c>
/// instead of calling it.
/// </summary>
public static class SetMessagePolicyHandler
{
    /// <summary>Setting the policy you already have is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(SetMessagePolicy command, UserProfile user, DateTimeOffset now) =>
        user.Policy == command.Policy ? [] : [new MessagePolicySet(command.UserId, command.Policy, now)];

    /// <summary>
    /// Decides <see cref="SetMessagePolicy"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(SetMessagePolicy command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), context, ct);
}
