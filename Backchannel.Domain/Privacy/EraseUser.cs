using Backchannel.Domain.Common;
using FluentValidation;

namespace Backchannel.Domain.Privacy;

/// <summary>
/// Erase <paramref name="UserId"/>: mask every text they wrote, everywhere, for good. <paramref name="RequestedBy"/> is
/// the user themselves or an operator (<paramref name="ByOperator"/>). Run by the erasure operation
/// (<c>EraseUserAsync</c> in Backchannel.Projections), which records the request, masks, and records the end.
/// </summary>
public sealed record EraseUser(string UserId, string RequestedBy, bool ByOperator)
{
    /// <summary>Both handles must be handles.</summary>
    public sealed class Validator : AbstractValidator<EraseUser>
    {
        /// <summary>Builds the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.RequestedBy).MustBeHandle();
        }
    }
}

/// <summary>The decisions of an erasure: who may ask, and that it is recorded once and completed once.</summary>
public static class EraseUserDecision
{
    /// <summary>
    /// A user erases themselves; anyone else must be an operator (403 <c>operators_only</c>). Asking again while one
    /// is under way or done records nothing new: the run that follows completes or repeats the masking.
    /// </summary>
    public static IReadOnlyList<object> Decide(EraseUser command, Erasure? state, DateTimeOffset now)
    {
        if (!command.ByOperator && command.RequestedBy != command.UserId)
            throw RuleViolation.Forbidden("operators_only", "Only an operator may erase another user.", "userId");
        return state is null ? [new ErasureRequested(command.UserId, command.RequestedBy, command.ByOperator, now)] : [];
    }

    /// <summary>The end is recorded once, by the first run that finishes; a repeat leaves the record as it was.</summary>
    public static IReadOnlyList<object> Complete(Erasure state, int eventsMasked, int documentsChanged, DateTimeOffset now) =>
        state.ErasedAt is null ? [new UserErased(state.UserId, eventsMasked, documentsChanged, now)] : [];
}
