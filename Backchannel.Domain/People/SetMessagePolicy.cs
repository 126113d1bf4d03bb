using Backchannel.Domain.Common;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.People;

/// <summary>Choose who may start a conversation with you.</summary>
public sealed record SetMessagePolicy(string UserId, MessagePolicy Policy)
{
    public sealed class Validator : AbstractValidator<SetMessagePolicy>
    {
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Policy).IsInEnum();
        }
    }
}

public static class SetMessagePolicyHandler
{
    /// <summary>Setting the policy you already have is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(SetMessagePolicy command, UserProfile user, DateTimeOffset now) =>
        user.Policy == command.Policy ? [] : [new MessagePolicySet(command.UserId, command.Policy, now)];

    public static Task Handle(SetMessagePolicy command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideForUserAsync(command.UserId, user => Decide(command, user, clock.GetUtcNow()), ct);
}
