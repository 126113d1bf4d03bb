using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.People;

/// <summary>Block a user: from now on neither of you can start a conversation with the other.</summary>
public sealed record BlockUser(string UserId, string Target)
{
    /// <summary>
    /// The input rules of <see cref="BlockUser"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<BlockUser>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Target).MustBeHandle().NotEqual(x => x.UserId).WithMessage("You cannot block yourself.");
        }
    }
}

/// <summary>Lift a block.</summary>
public sealed record UnblockUser(string UserId, string Target)
{
    /// <summary>
    /// The input rules of <see cref="UnblockUser"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<UnblockUser>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Target).MustBeHandle();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="BlockUser"/>, <see cref="UnblockUser"/>: loads the state, runs the pure decision
/// and appends its events. Public only because Wolverine discovers public handler types; send the commands through
/// <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class BlockingHandler
{
    /// <summary>Blocking twice is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(BlockUser command, UserProfile user, DateTimeOffset now) =>
        user.HasBlocked(command.Target) ? [] : [new UserBlocked(command.UserId, command.Target, null, now)];

    /// <summary>Unblocking someone you have not blocked is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(UnblockUser command, UserProfile user, DateTimeOffset now) =>
        user.HasBlocked(command.Target) ? [new UserUnblocked(command.UserId, command.Target, now)] : [];

    /// <summary>
    /// Decides <see cref="BlockUser"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(BlockUser command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="UnblockUser"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(UnblockUser command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), context, ct);
}
