using Backchannel.Domain.Common;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.People;

/// <summary>Follow another user: their requests to you are admitted automatically from now on.</summary>
public sealed record FollowUser(string UserId, string Followee)
{
    public sealed class Validator : AbstractValidator<FollowUser>
    {
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
    public sealed class Validator : AbstractValidator<UnfollowUser>
    {
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Followee).MustBeHandle();
        }
    }
}

public static class FollowingHandler
{
    /// <summary>Following twice is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(FollowUser command, UserProfile user, DateTimeOffset now) =>
        user.Follows(command.Followee) ? [] : [new UserFollowed(command.UserId, command.Followee, now)];

    /// <summary>Unfollowing someone you do not follow is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(UnfollowUser command, UserProfile user, DateTimeOffset now) =>
        user.Follows(command.Followee) ? [new UserUnfollowed(command.UserId, command.Followee, now)] : [];

    public static Task Handle(FollowUser command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), ct);

    public static Task Handle(UnfollowUser command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), ct);
}
