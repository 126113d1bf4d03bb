using Backchannel.Domain.Common;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.People;

/// <summary>Block a user: from now on neither of you can start a conversation with the other.</summary>
public sealed record BlockUser(string UserId, string Target)
{
    public sealed class Validator : AbstractValidator<BlockUser>
    {
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
    public sealed class Validator : AbstractValidator<UnblockUser>
    {
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Target).MustBeHandle();
        }
    }
}

public static class BlockingHandler
{
    /// <summary>Blocking twice is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(BlockUser command, UserProfile user, DateTimeOffset now) =>
        user.HasBlocked(command.Target) ? [] : [new UserBlocked(command.UserId, command.Target, null, now)];

    /// <summary>Unblocking someone you have not blocked is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(UnblockUser command, UserProfile user, DateTimeOffset now) =>
        user.HasBlocked(command.Target) ? [new UserUnblocked(command.UserId, command.Target, now)] : [];

    public static Task Handle(BlockUser command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), ct);

    public static Task Handle(UnblockUser command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), ct);
}
