using Backchannel.Domain.Planning;
using Marten.Events.Aggregation;

namespace Backchannel.Projections.Planning;

/// <summary>A scheduled event as the upcoming-events list and the links in conversations show it.</summary>
public sealed class EventView
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public string Host { get; set; } = "";
    public List<string> CoHosts { get; set; } = [];
    /// <summary>The host and co-hosts: the people whose followers see the event coming.</summary>
    public List<string> Hosts { get; set; } = [];
    public DateTimeOffset StartsAt { get; set; }
    public string PlanningConversationId { get; set; } = "";
    public bool Cancelled { get; set; }
    public string? CancelReason { get; set; }
    public string? RoomId { get; set; }
    public long Version { get; set; }
}

/// <summary>Builds <see cref="EventView"/> from a scheduled event's stream (inline).</summary>
internal partial class EventViewProjection : SingleStreamProjection<EventView, string>
{
    public static EventView Create(EventScheduled e) => new()
    {
        Id = e.EventId, Title = e.Title, Host = e.Host, CoHosts = [.. e.CoHosts], Hosts = [e.Host, .. e.CoHosts],
        StartsAt = e.StartsAt, PlanningConversationId = e.PlanningConversationId,
    };

    public static void Apply(CoHostAdded e, EventView view)
    {
        view.CoHosts.Add(e.CoHost);
        view.Hosts.Add(e.CoHost);
    }

    public static void Apply(CoHostRemoved e, EventView view)
    {
        view.CoHosts.Remove(e.CoHost);
        view.Hosts.Remove(e.CoHost);
    }

    public static void Apply(EventRescheduled e, EventView view) => view.StartsAt = e.StartsAt;

    public static void Apply(EventCancelled e, EventView view)
    {
        view.Cancelled = true;
        view.CancelReason = e.Reason;
    }

    public static void Apply(EventWentLive e, EventView view) => view.RoomId = e.RoomId;
}
