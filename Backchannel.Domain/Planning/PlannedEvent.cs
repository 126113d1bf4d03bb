using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Backchannel.Domain.Common;

namespace Backchannel.Domain.Planning;

/// <summary>A scheduled event as decisions need it (an inline snapshot of the event's stream).</summary>
public sealed record PlannedEvent(
    string Id,
    string Title,
    string Host,
    DateTimeOffset StartsAt,
    ImmutableList<string> CoHosts,
    string PlanningConversationId,
    bool Cancelled,
    string? RoomId)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>The host first, then the co-hosts in the order they were added.</summary>
    public IReadOnlyList<string> Hosts => [Host, .. CoHosts];

    /// <summary>Whether <paramref name="userId"/> is the host or a co-host.</summary>
    public bool IsHost(string userId) => Host == userId || CoHosts.Contains(userId);

    /// <summary>Starts this state from <see cref="EventScheduled"/> (Marten calls it to keep the snapshot).</summary>
    public static PlannedEvent Create(EventScheduled e) =>
        new(e.EventId, e.Title, e.Host, e.StartsAt, [.. e.CoHosts], e.PlanningConversationId, false, null);

    /// <summary>Folds <see cref="CoHostAdded"/> (Marten calls it to keep the snapshot).</summary>
    public PlannedEvent Apply(CoHostAdded e) => this with { CoHosts = CoHosts.Add(e.CoHost) };
    /// <summary>Folds <see cref="CoHostRemoved"/> (Marten calls it to keep the snapshot).</summary>
    public PlannedEvent Apply(CoHostRemoved e) => this with { CoHosts = CoHosts.Remove(e.CoHost) };
    /// <summary>Folds <see cref="EventRescheduled"/> (Marten calls it to keep the snapshot).</summary>
    public PlannedEvent Apply(EventRescheduled e) => this with { StartsAt = e.StartsAt };
    /// <summary>Folds <see cref="EventCancelled"/> (Marten calls it to keep the snapshot).</summary>
    public PlannedEvent Apply(EventCancelled _) => this with { Cancelled = true };
    /// <summary>Folds <see cref="EventWentLive"/> (Marten calls it to keep the snapshot).</summary>
    public PlannedEvent Apply(EventWentLive e) => this with { RoomId = e.RoomId };
}

/// <summary>Who may change a scheduled event, and when it can still change.</summary>
internal static class PlannedEventAccess
{
    /// <summary>There is no such event (404): also what the view of an event answers then.</summary>
    public static RuleViolation NoSuchEvent() => RuleViolation.NotFound("event_not_found", "No such event.");

    public static PlannedEvent RequireEvent([NotNull] this PlannedEvent? plannedEvent) => plannedEvent ?? throw NoSuchEvent();

    /// <summary>The event, if it is neither cancelled nor live yet: only then can its plan change.</summary>
    public static PlannedEvent RequireUpcoming([NotNull] this PlannedEvent? plannedEvent)
    {
        plannedEvent.RequireEvent();
        if (plannedEvent.Cancelled) throw RuleViolation.Conflict("event_cancelled", "The event was cancelled.");
        if (plannedEvent.RoomId is not null) throw RuleViolation.Conflict("event_already_live", "The event's room has started.");
        return plannedEvent;
    }

    public static void RequireTheHost(this PlannedEvent plannedEvent, string userId)
    {
        if (plannedEvent.Host != userId)
            throw RuleViolation.Forbidden("host_only", "Only the event's host may do this.");
    }

    public static void RequireAHost(this PlannedEvent plannedEvent, string userId)
    {
        if (!plannedEvent.IsHost(userId))
            throw RuleViolation.Forbidden("hosts_only", "Only the event's host and co-hosts may do this.");
    }

}
