using System.Security.Claims;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using Backchannel.Projections;
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
    /// <summary>
    /// Your accepted conversations, newest activity first: kind, members, the last message you may read, unread count,
    /// muted, room and event links. A page of <c>?limit=</c> (50 unless told, at most 200); <c>next</c> is the cursor of
    /// the page after it (<c>?after=</c>), null on the last.
    /// </summary>
    [WolverineGet("/inbox", OperationId = "inbox")]
    public static Task<Page<InboxItem>> Inbox(string? after, int? limit, ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
        session.InboxPageAsync(user.Handle(), after, Paging.Limit(limit), ct);

    /// <summary>
    /// Requests waiting for you, newest first: sender, opening message, what you have in common. Paged like the inbox
    /// (<c>?after=&amp;limit=</c>, <c>next</c>).
    /// </summary>
    [WolverineGet("/inbox/requests", OperationId = "requestsInbox")]
    public static Task<Page<RequestItem>> Requests(string? after, int? limit, ClaimsPrincipal user, IQuerySession session, TimeProvider clock, CancellationToken ct) =>
        session.RequestsPageAsync(user.Handle(), after, Paging.Limit(limit), ct, clock.GetUtcNow());

    /// <summary>Declines every request waiting for you; the senders are not told, as for one decline.</summary>
    [WolverinePost("/inbox/requests/decline-all", OperationId = "declineAllRequests")]
    [ProducesResponseType<RequestsCleared>(StatusCodes.Status200OK)]
    public static Task<RequestsCleared> DeclineAll(ClaimsPrincipal user, IMessageBus bus, CancellationToken ct) =>
        bus.InvokeAsync<RequestsCleared>(new DeclineAllRequests(user.Handle()), ct);

    /// <summary>Declines every request waiting for you and blocks everyone who sent one.</summary>
    [WolverinePost("/inbox/requests/block-all", OperationId = "blockAllRequesters")]
    [ProducesResponseType<RequestsCleared>(StatusCodes.Status200OK)]
    public static Task<RequestsCleared> BlockAll(ClaimsPrincipal user, IMessageBus bus, CancellationToken ct) =>
        bus.InvokeAsync<RequestsCleared>(new BlockAllRequesters(user.Handle()), ct);

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
        return thread is null ? ProblemMapping.Refused(RuleViolation.NotFound("conversation_not_found", "No such conversation.")) : TypedResults.Ok(thread);
    }

    /// <summary>
    /// Request decisions, oldest first: your own (as requester or recipient), or, for an operator, anyone's. Paged
    /// (<c>?after=&amp;limit=</c>, <c>next</c>).
    /// </summary>
    [WolverineGet("/audit/requests", OperationId = "requestAudit")]
    [ProducesResponseType<Page<RequestAuditEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> Audit(string? userId, DateTimeOffset? from, DateTimeOffset? to, string? after, int? limit, HttpRequest request,
        ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        QueryValues.OptionalHandle(userId, "userId");
        (from, to) = (QueryValues.Time(request, "from"), QueryValues.Time(request, "to"));
        if (!user.IsOperator() && userId is not null && userId != user.Handle())
            throw RuleViolation.Forbidden("operators_only", "Only an operator may read the audit of another user.", "userId");
        return TypedResults.Ok(await session.RequestAuditPageAsync(user.Handle(), user.IsOperator(), userId, from, to, after, size, ct));
    }

    /// <summary>
    /// Decisions on rooms, the stage, questions and events, oldest first: operators only (they name anonymous askers).
    /// Paged (<c>?after=&amp;limit=</c>, <c>next</c>).
    /// </summary>
    [WolverineGet("/audit/rooms", OperationId = "roomAudit")]
    [ProducesResponseType<Page<RoomAuditEntry>>(StatusCodes.Status200OK)]
    public static async Task<IResult> RoomAudit(string? roomId, string? eventId, string? userId, DateTimeOffset? from, DateTimeOffset? to,
        string? after, int? limit, HttpRequest request, ClaimsPrincipal user, IQuerySession session, CancellationToken ct)
    {
        var size = Paging.Limit(limit);
        QueryValues.OptionalId(roomId, "roomId");
        QueryValues.OptionalId(eventId, "eventId");
        QueryValues.OptionalHandle(userId, "userId");
        (from, to) = (QueryValues.Time(request, "from"), QueryValues.Time(request, "to"));
        if (!user.IsOperator())
            throw RuleViolation.Forbidden("operators_only", "Only an operator may read the audit of rooms and events.");
        return TypedResults.Ok(await session.RoomAuditPageAsync(roomId, eventId, userId, from, to, after, size, ct));
    }

    private static void Require(bool condition, string field, string message)
    {
        if (!condition) throw new FluentValidation.ValidationException([new FluentValidation.Results.ValidationFailure(field, message)]);
    }
}
