using Backchannel.Domain.Common;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Safety;

/// <summary>
/// An operator lifts <paramref name="UserId"/>'s suspension: they may write again, and their requests still pending
/// are back in their recipients' requests inboxes. Lifting what does not hold (never suspended, lifted, ended) is a
/// no-op. The caller must have checked that <paramref name="OperatorId"/> is an operator.
/// </summary>
public sealed record LiftSuspension(string UserId, string OperatorId, string? Reason)
{
    /// <summary>The shape of the input.</summary>
    public sealed class Validator : AbstractValidator<LiftSuspension>
    {
        /// <summary>The rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.OperatorId).MustBeHandle();
            RuleFor(x => x.Reason).MustBeReason();
        }
    }
}

/// <summary>Decides and handles <see cref="LiftSuspension"/>.</summary>
public static class LiftSuspensionHandler
{
    /// <summary>Only a suspension that holds now is lifted.</summary>
    internal static IReadOnlyList<object> Decide(LiftSuspension command, Suspension? current, DateTimeOffset now) =>
        current is not null && current.HoldsAt(now) ? [new SuspensionLifted(command.UserId, command.OperatorId, command.Reason, now)] : [];

    /// <summary>Under the lock of the user's suspension stream.</summary>
    public static Task Handle(LiftSuspension command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideAsync<Suspension>(Suspension.StreamOf(command.UserId), s => Decide(command, s, clock.GetUtcNow()), ct);
}
