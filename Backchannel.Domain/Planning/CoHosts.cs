using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Planning;

/// <summary>Make someone co-host of an upcoming event (its host only): they join the planning conversation.</summary>
public sealed record AddCoHost(string EventId, string Host, string CoHost)
{
    /// <summary>
    /// The input rules of <see cref="AddCoHost"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<AddCoHost>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.EventId).MustBeId();
            RuleFor(x => x.Host).MustBeHandle();
            RuleFor(x => x.CoHost).MustBeHandle().NotEqual(x => x.Host).WithMessage("You host the event already.");
        }
    }
}

/// <summary>Take someone off an event's co-hosts (its host only): they leave the planning conversation.</summary>
public sealed record RemoveCoHost(string EventId, string Host, string CoHost)
{
    /// <summary>
    /// The input rules of <see cref="RemoveCoHost"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<RemoveCoHost>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.EventId).MustBeId();
            RuleFor(x => x.Host).MustBeHandle();
            RuleFor(x => x.CoHost).MustBeHandle();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="AddCoHost"/>, <see cref="RemoveCoHost"/>: loads the state, runs the pure decision
/// and appends its events. Public only because Wolverine discovers public handler types; send the commands through
/// <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class CoHostsHandler
{
    /// <summary>Adding a co-host twice changes nothing.</summary>
    internal static IReadOnlyList<object> Decide(AddCoHost command, PlannedEvent? plannedEvent, Conversation planning,
        UserProfile host, UserProfile coHost, BackchannelSettings settings, DateTimeOffset now)
    {
        plannedEvent.RequireUpcoming().RequireTheHost(command.Host);
        if (plannedEvent.CoHosts.Contains(command.CoHost)) return [];
        if (plannedEvent.CoHosts.Count + 1 >= settings.MaxGroupMembers)
            throw RuleViolation.Conflict("too_many_co_hosts", $"An event has at most {settings.MaxGroupMembers - 1} co-hosts.", "coHost");
        CoHosting.RequireWillingCoHost(host, coHost);
        return
        [
            new CoHostAdded(plannedEvent.Id, command.CoHost, command.Host, now),
            .. RoleMembership.Join(planning, command.CoHost, MembershipRoles.CoHost, now),
        ];
    }

    /// <summary>Removing someone who is not a co-host changes nothing.</summary>
    internal static IReadOnlyList<object> Decide(RemoveCoHost command, PlannedEvent? plannedEvent, Conversation planning, DateTimeOffset now)
    {
        plannedEvent.RequireEvent().RequireTheHost(command.Host);
        if (!plannedEvent.CoHosts.Contains(command.CoHost)) return [];
        return
        [
            new CoHostRemoved(plannedEvent.Id, command.CoHost, command.Host, now),
            .. RoleMembership.Leave(planning, command.CoHost, MembershipRoles.CoHost, now),
        ];
    }

    /// <summary>
    /// Decides <see cref="AddCoHost"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(AddCoHost command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var (streams, plannedEvent, planning) = await LockAsync(session, command.EventId, ct);
        var profiles = await session.LoadProfilesAsync([command.Host, command.CoHost], ct);
        streams.Append(Decide(command, plannedEvent, planning!, profiles[command.Host], profiles[command.CoHost], settings, clock.GetUtcNow()));
    }

    /// <summary>
    /// Decides <see cref="RemoveCoHost"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(RemoveCoHost command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (streams, plannedEvent, planning) = await LockAsync(session, command.EventId, ct);
        streams.Append(Decide(command, plannedEvent, planning!, clock.GetUtcNow()));
    }

    private static async Task<(WriteSet, PlannedEvent?, Conversation?)> LockAsync(IDocumentSession session, string eventId, CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var plannedEvent = await streams.LockAsync<PlannedEvent>(eventId, ct);
        var planning = plannedEvent is null ? null : await streams.LockAsync<Conversation>(plannedEvent.PlanningConversationId, ct);
        return (streams, plannedEvent, planning);
    }
}
