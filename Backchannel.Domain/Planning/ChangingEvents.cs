using Backchannel.Domain.Common;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Planning;

/// <summary>Move an upcoming event to another time (its host or a co-host).</summary>
public sealed record RescheduleEvent(string EventId, string UserId, DateTimeOffset StartsAt)
{
    /// <summary>In UTC whatever offset it was given with: PostgreSQL's <c>timestamptz</c> parameters take no other.</summary>
    public DateTimeOffset StartsAt { get; init => field = value.ToUniversalTime(); } = StartsAt.ToUniversalTime();

    /// <summary>
    /// The input rules of <see cref="RescheduleEvent"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<RescheduleEvent>
    {
        /// <summary>Declares the rules; FluentValidation resolves the arguments from the container.</summary>
        public Validator(TimeProvider clock)
        {
            RuleFor(x => x.EventId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.StartsAt).MustBeInTheFuture(clock);
        }
    }
}

/// <summary>Call off an upcoming event (its host only), saying why if you wish.</summary>
public sealed record CancelEvent(string EventId, string UserId, string? Reason)
{
    /// <summary>
    /// The input rules of <see cref="CancelEvent"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<CancelEvent>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.EventId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Reason).MustBeReason();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="RescheduleEvent"/>, <see cref="CancelEvent"/>: loads the state, runs the pure
/// decision and appends its events. Public only because Wolverine discovers public handler types; send the commands
/// through <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class ChangingEventsHandler
{
    /// <summary>Moving the event to the time it has already changes nothing.</summary>
    internal static IReadOnlyList<object> Decide(RescheduleEvent command, PlannedEvent? plannedEvent, DateTimeOffset now)
    {
        plannedEvent.RequireUpcoming().RequireAHost(command.UserId);
        return plannedEvent.StartsAt == command.StartsAt
            ? []
            : [new EventRescheduled(plannedEvent.Id, command.StartsAt, plannedEvent.StartsAt, command.UserId, now)];
    }

    /// <summary>Cancelling a cancelled event changes nothing; a live one cannot be cancelled (end its room instead).</summary>
    internal static IReadOnlyList<object> Decide(CancelEvent command, PlannedEvent? plannedEvent, DateTimeOffset now)
    {
        plannedEvent.RequireEvent().RequireTheHost(command.UserId);
        if (plannedEvent.Cancelled) return [];
        plannedEvent.RequireUpcoming();
        return [new EventCancelled(plannedEvent.Id, command.UserId, command.Reason, now)];
    }

    /// <summary>
    /// Decides <see cref="RescheduleEvent"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(RescheduleEvent command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<PlannedEvent>(command.EventId, e => Decide(command, e, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="CancelEvent"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(CancelEvent command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<PlannedEvent>(command.EventId, e => Decide(command, e, clock.GetUtcNow()), context, ct);
}
