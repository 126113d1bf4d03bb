using Backchannel.Projections;
using System.Security.Claims;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Stage;
using Backchannel.Host.Auth;
using Backchannel.Projections.Rooms;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>Rooms: presence, hands, the stage, and the room's views.</summary>
public static class RoomEndpoints
{
    /// <summary>Starts a live room (from an event, by one of its hosts): you are its moderator. Over the rooms limit, 429.</summary>
    [WolverinePost("/rooms", OperationId = "startRoom")]
    [ProducesResponseType<RoomCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static async Task<IResult> Start(StartRoomBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        var opened = await bus.InvokeAsync<RoomOpened>(new StartRoom(Ids.New(), Ids.New(), user.Handle(), body.Title, body.EventId));
        if (opened.Throttle is { Refused: true } throttle) return BusResults.TooManyRequests(throttle);
        return TypedResults.Created($"/rooms/{opened.RoomId}",
            new RoomCreated(opened.RoomId, opened.StageConversationId, BusResults.WarningOf(opened.Throttle)));
    }

    /// <summary>Joins a live room as a listener.</summary>
    [WolverinePost("/rooms/{id}/join", OperationId = "joinRoom")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Join(string id, ClaimsPrincipal user, IMessageBus bus) => bus.NoContent(new JoinRoom(id, user.Handle()));

    /// <summary>Leaves a room.</summary>
    [WolverinePost("/rooms/{id}/leave", OperationId = "leaveRoom")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Leave(string id, ClaimsPrincipal user, IMessageBus bus) => bus.NoContent(new LeaveRoom(id, user.Handle()));

    /// <summary>Ends a room for everyone: moderators only.</summary>
    [WolverinePost("/rooms/{id}/end", OperationId = "endRoom")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> End(string id, ClaimsPrincipal user, IMessageBus bus) => bus.NoContent(new EndRoom(id, user.Handle()));

    /// <summary>Raises your hand to ask to speak: listeners.</summary>
    [WolverinePost("/rooms/{id}/hand", OperationId = "raiseHand")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> RaiseHand(string id, ClaimsPrincipal user, IMessageBus bus) => bus.NoContent(new RaiseHand(id, user.Handle()));

    /// <summary>Lowers your hand.</summary>
    [WolverineDelete("/rooms/{id}/hand", OperationId = "lowerHand")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> LowerHand(string id, ClaimsPrincipal user, IMessageBus bus) => bus.NoContent(new LowerHand(id, user.Handle()));

    /// <summary>Brings a present listener onto the stage, optionally from their question (marked taken to the stage): moderators only.</summary>
    [WolverinePost("/rooms/{id}/stage", OperationId = "promoteToStage")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Promote(string id, PromoteBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new PromoteToStage(id, user.Handle(), body.UserId, body.QuestionId));

    /// <summary>Moves a speaker back to the audience (<c>?reason=</c> optional); speakers may step down themselves.</summary>
    [WolverineDelete("/rooms/{id}/stage/{userId}", OperationId = "moveToAudience")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> MoveToAudience(string id, string userId, string? reason, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new MoveToAudience(id, user.Handle(), userId, reason));

    /// <summary>Makes a speaker a moderator: moderators only.</summary>
    [WolverinePost("/rooms/{id}/moderators", OperationId = "makeModerator")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> MakeModerator(string id, UserBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new MakeModerator(id, user.Handle(), body.UserId));

    /// <summary>The room for anyone present in it: roles, the stage, approved and answered questions with their answers.</summary>
    [WolverineGet("/rooms/{id}", OperationId = "room")]
    [ProducesResponseType<RoomScreen>(StatusCodes.Status200OK)]
    public static async Task<IResult> Room(string id, ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
        Answer(await session.RoomAsync(user.Handle(), QueryValues.Id(id, "id"), ct));

    /// <summary>
    /// What the stage screens: questions by status, raised hands in order, the stage roster. Each list holds its first
    /// <c>?limit=</c> entries (50 unless told, at most 200); <c>next</c> has the cursor of each list that goes on.
    /// </summary>
    [WolverineGet("/rooms/{id}/moderation", OperationId = "moderation")]
    [ProducesResponseType<ModerationView>(StatusCodes.Status200OK)]
    public static async Task<IResult> Moderation(string id, int? limit, ClaimsPrincipal user, IQuerySession session, CancellationToken ct) =>
        Answer(await session.ModerationAsync(user.Handle(), QueryValues.Id(id, "id"), PageSize(limit), ct));

    /// <summary>
    /// The next page of one question list of the moderation view (<c>pending</c>, <c>approved</c>, <c>pinned</c>,
    /// <c>answered</c>, <c>dismissed</c>) after <c>?after=</c>, a cursor from <c>next</c> of the view or of a page.
    /// </summary>
    [WolverineGet("/rooms/{id}/moderation/{list}", OperationId = "moderationQuestions")]
    [ProducesResponseType<ModerationPage<QuestionItem>>(StatusCodes.Status200OK)]
    public static async Task<IResult> ModerationQuestions(string id, string list, string? after, int? limit, ClaimsPrincipal user,
        IQuerySession session, CancellationToken ct) =>
        Answer(await session.ModerationPageAsync<QuestionItem>(user.Handle(), QueryValues.Id(id, "id"), QuestionList(list), after, PageSize(limit), ct));

    /// <summary>The next page of the raised hands of the moderation view, after <c>?after=</c>.</summary>
    [WolverineGet("/rooms/{id}/moderation/raised-hands", OperationId = "moderationRaisedHands")]
    [ProducesResponseType<ModerationPage<RaisedHand>>(StatusCodes.Status200OK)]
    public static async Task<IResult> ModerationRaisedHands(string id, string? after, int? limit, ClaimsPrincipal user,
        IQuerySession session, CancellationToken ct) =>
        Answer(await session.ModerationPageAsync<RaisedHand>(user.Handle(), QueryValues.Id(id, "id"), ModerationList.RaisedHands, after, PageSize(limit), ct));

    /// <summary>A view of a room, 200; or the refusal the same request to act in the room would get: 404, or 403 with its code.</summary>
    private static IResult Answer<T>(RoomAnswer<T> answer) where T : class => answer.Unseen switch
    {
        null => TypedResults.Ok(answer.View),
        RoomUnseen.NoSuchRoom => ProblemMapping.Refused(Refusals.NoSuchRoom()),
        RoomUnseen.NotInRoom => ProblemMapping.Refused(Refusals.NotInRoom()),
        _ => ProblemMapping.Refused(Refusals.StageOnly()),
    };

    private static int PageSize(int? limit) => Backchannel.Projections.Paging.Limit(limit);

    private static ModerationList QuestionList(string list) => list switch
    {
        "pending" => ModerationList.Pending,
        "approved" => ModerationList.Approved,
        "pinned" => ModerationList.Pinned,
        "answered" => ModerationList.Answered,
        "dismissed" => ModerationList.Dismissed,
        _ => throw Invalid("list", "list must be one of pending, approved, pinned, answered, dismissed, raised-hands."),
    };

    private static FluentValidation.ValidationException Invalid(string field, string message) =>
        new([new FluentValidation.Results.ValidationFailure(field, message)]);
}
