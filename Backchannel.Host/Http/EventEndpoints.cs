using Backchannel.Projections;
using System.Security.Claims;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Thanks;
using Backchannel.Host.Auth;
using Backchannel.Projections.Planning;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>Planning events with co-hosts, and thanking people for rooms and events.</summary>
public static class EventEndpoints
{
    /// <summary>Schedules an event with optional co-hosts (people you follow who follow you): a planning conversation opens for its hosts.</summary>
    [WolverinePost("/events", OperationId = "scheduleEvent")]
    [ProducesResponseType<EventCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static async Task<IResult> Schedule(ScheduleEventBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        var planned = await bus.InvokeAsync<EventPlanned>(
            new ScheduleEvent(Ids.New(), Ids.New(), user.Handle(), body.Title, body.StartsAt, body.CoHosts ?? []));
        if (planned.Throttle is { Refused: true } throttle) return BusResults.TooManyRequests(throttle);
        return TypedResults.Created($"/events/{planned.EventId}",
            new EventCreated(planned.EventId, planned.PlanningConversationId, BusResults.WarningOf(planned.Throttle)));
    }

    /// <summary>Adds a co-host to an event: the host only.</summary>
    [WolverinePost("/events/{id}/cohosts", OperationId = "addCoHost")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> AddCoHost(string id, UserBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new AddCoHost(id, user.Handle(), body.UserId));

    /// <summary>Removes a co-host from an event: the host only.</summary>
    [WolverineDelete("/events/{id}/cohosts/{userId}", OperationId = "removeCoHost")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> RemoveCoHost(string id, string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new RemoveCoHost(id, user.Handle(), userId));

    /// <summary>Moves an event to another time: the host or a co-host.</summary>
    [WolverinePost("/events/{id}/reschedule", OperationId = "rescheduleEvent")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Reschedule(string id, RescheduleBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new RescheduleEvent(id, user.Handle(), body.StartsAt));

    /// <summary>Calls the event off (<c>?reason=</c> optional, so the request needs no body).</summary>
    [WolverinePost("/events/{id}/cancel", OperationId = "cancelEvent")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Cancel(string id, string? reason, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new CancelEvent(id, user.Handle(), reason));

    /// <summary>
    /// Events hosted by you or by people you follow, not cancelled, from now on (and live ones), soonest first. Paged
    /// (<c>?after=&amp;limit=</c>, <c>next</c>).
    /// </summary>
    [WolverineGet("/events/upcoming", OperationId = "upcomingEvents")]
    [ProducesResponseType<Page<UpcomingEvent>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Upcoming(string? after, int? limit, ClaimsPrincipal user, IQuerySession session, TimeProvider clock,
        CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        return TypedResults.Ok(await session.UpcomingEventsPageAsync(user.Handle(), clock.GetUtcNow(), after, size, ct));
    }

    /// <summary>One event, as its hosts and followers see it.</summary>
    [WolverineGet("/events/{id}", OperationId = "event")]
    [ProducesResponseType<UpcomingEvent>(StatusCodes.Status200OK)]
    public static async Task<IResult> Event(string id, ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
        await session.EventAsync(user.Handle(), QueryValues.Id(id, "id"), ct) is { } found
            ? TypedResults.Ok(found)
            : ProblemMapping.Refused(Refusals.NoSuchEvent());

    /// <summary>A thank-you note for a room both of you were in, or an event they host: delivered like any message.</summary>
    [WolverinePost("/thanks", OperationId = "sendThanks")]
    [ProducesResponseType<ConversationCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static Task<IResult> Thank(SendThanksBody body, ClaimsPrincipal user, IMessageBus bus)
 =>
        bus.StartConversation(new SendThanks(Ids.New(), user.Handle(), body.To, body.RoomId, body.EventId, body.Text));
}
