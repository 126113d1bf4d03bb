using Backchannel.Domain.Common;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Safety;

/// <summary>
/// An operator suspends <paramref name="UserId"/> until <paramref name="Until"/>, or until lifted when it is null, with
/// a reason. Suspending someone suspended replaces their suspension (a new end, a new reason). The caller must have
/// checked that <paramref name="OperatorId"/> is an operator.
/// </summary>
public sealed record SuspendUser(string UserId, string OperatorId, DateTimeOffset? Until, string Reason)
{
    /// <summary>In UTC whatever offset it was given with: PostgreSQL's <c>timestamptz</c> parameters take no other.</summary>
    public DateTimeOffset? Until { get; init => field = value?.ToUniversalTime(); } = Until?.ToUniversalTime();

    /// <summary>The shape of the input; an end must lie ahead of the clock.</summary>
    public sealed class Validator : AbstractValidator<SuspendUser>
    {
        /// <summary>The rules, with the clock the end is compared with.</summary>
        public Validator(TimeProvider clock)
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.OperatorId).MustBeHandle();
            RuleFor(x => x.Reason).MustBeText(Rules.MaxReasonLength);
            RuleFor(x => x.Until).Must(until => until is null || until > clock.GetUtcNow())
                .WithMessage("'{PropertyName}' must lie in the future, or be null for a suspension until lifted.");
            RuleFor(x => x.UserId).NotEqual(x => x.OperatorId).WithMessage("An operator cannot suspend themselves.");
        }
    }
}

/// <summary>Decides and handles <see cref="SuspendUser"/>.</summary>
public static class SuspendUserHandler
{
    /// <summary>Always one event: even the same end again is an operator's decision, with its own reason, on record.</summary>
    internal static IReadOnlyList<object> Decide(SuspendUser command, Suspension? current, DateTimeOffset now) =>
        [new UserSuspended(command.UserId, command.OperatorId, command.Until, command.Reason, now)];

    /// <summary>Under the lock of the user's suspension stream.</summary>
    public static Task Handle(SuspendUser command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideAsync<Suspension>(Suspension.StreamOf(command.UserId), s => Decide(command, s, clock.GetUtcNow()), ct);
}
