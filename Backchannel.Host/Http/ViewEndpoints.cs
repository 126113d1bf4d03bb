using System.Security.Claims;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Domain.Requests;
using Marten;
using Wolverine;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>The caller's views. Each is a query over projections; who may see what is decided in the query.</summary>
public static class ViewEndpoints
{
    [WolverineGet("/inbox", OperationId = "inbox")]
    public static Task<IReadOnlyList<InboxItem>> Inbox(ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
        session.InboxAsync(user.Handle(), ct: ct);

    [WolverineGet("/inbox/requests", OperationId = "requestsInbox")]
    public static Task<IReadOnlyList<RequestItem>> Requests(ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
        session.RequestsAsync(user.Handle(), ct: ct, now: clock.GetUtcNow());

    /// <summary>Declines every request waiting for you; the senders are not told, as for one decline.</summary>
    [WolverinePost("/inbox/requests/decline-all", OperationId = "declineAllRequests")]
    [ProducesResponseType<RequestsCleared>(StatusCodes.Status200OK)]
    public static async Task<RequestsCleared> DeclineAll(ClaimsPrincipal user, IQuerySession session, IMessageBus bus, TimeProvider clock, CancellationToken ct) =>
        await bus.InvokeAsync<RequestsCleared>(new DeclineAllRequests(user.Handle(), await session.PendingRequestIdsAsync(user.Handle(), ct, clock.GetUtcNow())), ct);

    /// <summary>Declines every request waiting for you and blocks everyone who sent one.</summary>
    [WolverinePost("/inbox/requests/block-all", OperationId = "blockAllRequesters")]
    [ProducesResponseType<RequestsCleared>(StatusCodes.Status200OK)]
    public static async Task<RequestsCleared> BlockAll(ClaimsPrincipal user, IQuerySession session, IMessageBus bus, TimeProvider clock, CancellationToken ct) =>
        await bus.InvokeAsync<RequestsCleared>(new BlockAllRequesters(user.Handle(), await session.PendingRequestIdsAsync(user.Handle(), ct, clock.GetUtcNow())), ct);

    /// <summary>
    /// A page of the thread (<c>?before=&amp;limit=</c>), or the whole thread as of a version (<c>?asOfVersion=</c>)
    /// or a time (<c>?asOf=</c>, ISO 8601).
    /// </summary>
    [WolverineGet("/conversations/{id}", OperationId = "thread")]
    [ProducesResponseType<ThreadView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Thread(string id, long? before, int? limit, long? asOfVersion, DateTimeOffset? asOf,
        HttpRequest request, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        QueryValues.Id(id, "id");
        asOf = QueryValues.Time(request, "asOf");
        Require(limit is null or >= 1 and <= ThreadQueries.MaxPageSize, "limit", $"limit must be between 1 and {ThreadQueries.MaxPageSize}.");
        Require(before is null or >= 1, "before", "before must be a message sequence, 1 or more.");
        Require(asOfVersion is null or >= 1, "asOfVersion", "asOfVersion must be a stream version, 1 or more.");
        Require(asOfVersion is null || asOf is null, "asOf", "Give asOfVersion or asOf, not both.");
        var thread = asOfVersion is not null || asOf is not null
            ? await session.ThreadAsOfAsync(user.Handle(), id, asOfVersion ?? 0, asOf, ct)
            : await session.ThreadAsync(user.Handle(), id, before, limit ?? ThreadQueries.DefaultPageSize, ct);
        return thread is null ? NotFound() : TypedResults.Ok(thread);
    }

    /// <summary>Request decisions: your own (as requester or recipient), or, for an operator, anyone's.</summary>
    [WolverineGet("/audit/requests", OperationId = "requestAudit")]
    [ProducesResponseType<IReadOnlyList<RequestAuditEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Audit(string? userId, DateTimeOffset? from, DateTimeOffset? to, HttpRequest request, ClaimsPrincipal user,
        IQuerySession session, CancellationToken ct)
    {
        QueryValues.OptionalHandle(userId, "userId");
        (from, to) = (QueryValues.Time(request, "from"), QueryValues.Time(request, "to"));
        if (!user.IsOperator() && userId is not null && userId != user.Handle())
            throw RuleViolation.Forbidden("operators_only", "Only an operator may read the audit of another user.", "userId");
        return TypedResults.Ok(await session.RequestAuditAsync(user.Handle(), user.IsOperator(), userId, from, to, ct: ct));
    }

    /// <summary>Decisions on rooms, the stage, questions and events: operators only (they name anonymous askers).</summary>
    [WolverineGet("/audit/rooms", OperationId = "roomAudit")]
    [ProducesResponseType<IReadOnlyList<RoomAuditEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> RoomAudit(string? roomId, string? eventId, string? userId, DateTimeOffset? from, DateTimeOffset? to,
        HttpRequest request, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        QueryValues.OptionalId(roomId, "roomId");
        QueryValues.OptionalId(eventId, "eventId");
        QueryValues.OptionalHandle(userId, "userId");
        (from, to) = (QueryValues.Time(request, "from"), QueryValues.Time(request, "to"));
        if (!user.IsOperator())
            throw RuleViolation.Forbidden("operators_only", "Only an operator may read the audit of rooms and events.");
        return TypedResults.Ok(await session.RoomAuditAsync(roomId, eventId, userId, from, to, ct: ct));
    }

    private static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure(field, message)]);
    }

    private static IResult NotFound() =>
        TypedResults.Problem(ProblemMapping.ToProblem(RuleViolation.NotFound("conversation_not_found", "No such conversation."))!);
}
