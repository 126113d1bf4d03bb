using Backchannel.Domain.Common;

namespace Backchannel.Domain.Planning;

/// <summary>An event of a scheduled event's stream, keyed by the event's id.</summary>
public interface IPlanningEvent : IStreamEvent
{
    /// <summary>The scheduled event whose stream it is.</summary>
    string EventId { get; }

    string IStreamEvent.StreamId => EventId;
}


// Events of a scheduled event's stream (stream key: the event id). The planning conversation's membership follows
// the hosts through MemberJoinedByRole / MemberLeftByRole on the conversation's own stream.

/// <summary>
/// <paramref name="Host"/> scheduled an event starting at <paramref name="StartsAt"/> with these co-hosts; they plan it
/// in conversation <paramref name="PlanningConversationId"/>.
/// </summary>
public sealed record EventScheduled(
    string EventId, string Title, string Host, DateTimeOffset StartsAt, IReadOnlyList<string> CoHosts,
    string PlanningConversationId, DateTimeOffset At) : IPlanningEvent;

/// <summary>The host made <paramref name="CoHost"/> a co-host: they join the planning conversation.</summary>
public sealed record CoHostAdded(string EventId, string CoHost, string AddedBy, DateTimeOffset At) : IPlanningEvent;

/// <summary>The host removed a co-host: they leave the planning conversation.</summary>
public sealed record CoHostRemoved(string EventId, string CoHost, string RemovedBy, DateTimeOffset At) : IPlanningEvent;

/// <summary>A host moved the event from <paramref name="PreviousStartsAt"/> to <paramref name="StartsAt"/>.</summary>
public sealed record EventRescheduled(
    string EventId, DateTimeOffset StartsAt, DateTimeOffset PreviousStartsAt, string RescheduledBy, DateTimeOffset At) : IPlanningEvent;

/// <summary>The host called the event off, saying why if they wished.</summary>
public sealed record EventCancelled(string EventId, string CancelledBy, string? Reason, DateTimeOffset At) : IPlanningEvent;

/// <summary>A host started the event's room: the event is live there.</summary>
public sealed record EventWentLive(string EventId, string RoomId, string StartedBy, DateTimeOffset At) : IPlanningEvent;

/// <summary>The free text of a scheduled event's events and who wrote it: what an erasure masks (<see cref="Privacy.ProtectedInformation"/>).</summary>
public static class PlanningProtectedText
{
    /// <summary>An event's title, a cancellation's reason.</summary>
    public static readonly IReadOnlyList<Privacy.ProtectedText> Rules =
    [
        Privacy.ProtectedText.Of<EventScheduled>(e => e.Host, e => e with { Title = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<EventCancelled>(e => e.CancelledBy, e => e with { Reason = null }),
    ];
}
