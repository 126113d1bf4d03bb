using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.People;

/// <summary>Follow another user: their requests to you are admitted automatically from now on.</summary>
public sealed record FollowUser(string UserId, string Followee)
{
    /// <summary>
    /// The input rules of <see cref="FollowUser"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<FollowUser>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Followee).MustBeHandle().NotEqual(x => x.UserId).WithMessage("You cannot follow yourself.");
        }
    }
}

/// <summary>Stop following a user.</summary>
public sealed record UnfollowUser(string UserId, string Followee)
{
    /// <summary>
    /// The input rules of <see cref="UnfollowUser"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<UnfollowUser>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Followee).MustBeHandle();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="FollowUser"/>, <see cref="UnfollowUser"/>: loads the state, runs the pure decision
/// and appends its events. Public only because Wolverine discovers public handler types; send the commands through
/// <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class FollowingHandler
{
    /// <summary>Following twice is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(FollowUser command, UserProfile user, DateTimeOffset now) =>
        user.Follows(command.Followee) ? [] : [new UserFollowed(command.UserId, command.Followee, now)];

    /// <summary>Unfollowing someone you do not follow is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(UnfollowUser command, UserProfile user, DateTimeOffset now) =>
        user.Follows(command.Followee) ? [new UserUnfollowed(command.UserId, command.Followee, now)] : [];

    /// <summary>
    /// Decides <see cref="FollowUser"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(FollowUser command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="UnfollowUser"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(UnfollowUser command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), context, ct);
}
