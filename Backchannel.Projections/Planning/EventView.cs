using Backchannel.Domain.Planning;
using Marten.Events.Aggregation;

namespace Backchannel.Projections.Planning;

/// <summary>A scheduled event as the upcoming-events list and the links in conversations show it.</summary>
public sealed class EventView
{
    /// <summary>The event id.</summary>
    public string Id { get; set; } = "";
    /// <summary>The event's title.</summary>
    public string Title { get; set; } = "";
    /// <summary>Who scheduled it.</summary>
    public string Host { get; set; } = "";
    /// <summary>The co-hosts, in the order they were added.</summary>
    public List<string> CoHosts { get; set; } = [];
    /// <summary>The host and co-hosts: the people whose followers see the event coming.</summary>
    public List<string> Hosts { get; set; } = [];
    /// <summary>When it starts.</summary>
    public DateTimeOffset StartsAt { get; set; }
    /// <summary>The hosts' planning conversation.</summary>
    public string PlanningConversationId { get; set; } = "";
    /// <summary>Whether it was cancelled.</summary>
    public bool Cancelled { get; set; }
    /// <summary>Why it was cancelled, if a reason was given.</summary>
    public string? CancelReason { get; set; }
    /// <summary>The room it went live in, once it did.</summary>
    public string? RoomId { get; set; }
    /// <summary>The stream version the view was built up to (Marten keeps it).</summary>
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
