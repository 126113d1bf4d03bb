using System.Security.Claims;
using Backchannel.Domain.Common;
using Backchannel.Domain.Safety;
using Backchannel.Host.Auth;
using Backchannel.Projections;
using Backchannel.Projections.Safety;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>Trust and safety, for operators: the report queue, decisions on reports, suspensions, their audit.</summary>
public static class SafetyEndpoints
{
    /// <summary>The report queue: <c>?status=open</c> (the default, oldest first) or <c>resolved</c>, paged by <c>after</c>.</summary>
    [WolverineGet("/reports", OperationId = "reportQueue")]
    [ProducesResponseType<Page<ReportQueueItem>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Queue(string? status, string? after, int? limit, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        RequireOperator(user);
        var parsed = status switch
        {
            null or "open" => ReportStatus.Open,
            "resolved" => ReportStatus.Resolved,
            _ => throw QueryValues.Invalid("status", "'status' must be 'open' or 'resolved'."),
        };
        return TypedResults.Ok(await session.ReportQueueAsync(parsed, after, Paging.Limit(limit), ct));
    }

    /// <summary>Closes a report case with no action against the reported user: the reasons and the decision go to the moderation audit.</summary>
    [WolverinePost("/reports/{id}/dismiss", OperationId = "dismissReport")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Dismiss(string id, ModerationReasonBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        RequireOperator(user);
        return bus.NoContent(new DismissReport(QueryValues.Id(id, "id"), user.Handle(), body.Reason));
    }

    /// <summary>Removes the reported message (for a request, its requester's messages the reporters could read) for everyone.</summary>
    [WolverinePost("/reports/{id}/remove", OperationId = "removeReportedMessage")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Remove(string id, ModerationReasonBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        RequireOperator(user);
        return bus.NoContent(new RemoveReportedMessage(QueryValues.Id(id, "id"), user.Handle(), body.Reason));
    }

    /// <summary>Suspends a user until <c>until</c>, or until lifted when it is null.</summary>
    [WolverinePut("/users/{userId}/suspension", OperationId = "suspendUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Suspend(string userId, SuspendBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        RequireOperator(user);
        return bus.NoContent(new SuspendUser(userId, user.Handle(), body.Until, body.Reason));
    }

    /// <summary>Lifts a user's suspension before its end: they may write again at once.</summary>
    [WolverineDelete("/users/{userId}/suspension", OperationId = "liftSuspension")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Lift(string userId, ClaimsPrincipal user, IMessageBus bus)
    {
        RequireOperator(user);
        return bus.NoContent(new LiftSuspension(userId, user.Handle(), null));
    }

    /// <summary>
    /// Operators' decisions of trust and safety (<c>?userId=&amp;from=&amp;to=</c>), oldest first. Paged
    /// (<c>?after=&amp;limit=</c>, <c>next</c>).
    /// </summary>
    [WolverineGet("/audit/moderation", OperationId = "moderationAudit")]
    [ProducesResponseType<Page<ModerationAuditEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Audit(string? userId, DateTimeOffset? from, DateTimeOffset? to, string? after, int? limit, HttpRequest request,
        ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        RequireOperator(user);
        var size = Paging.Limit(limit);
        QueryValues.OptionalHandle(userId, "userId");
        (from, to) = (QueryValues.Time(request, "from"), QueryValues.Time(request, "to"));
        return TypedResults.Ok(await session.ModerationAuditPageAsync(userId, from, to, after, size, ct));
    }

    private static void RequireOperator(ClaimsPrincipal user)
    {
        if (!user.IsOperator()) throw RuleViolation.Forbidden("operators_only", "Only an operator may do this.");
    }
}
