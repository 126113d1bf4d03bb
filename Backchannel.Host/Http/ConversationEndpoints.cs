using System.Security.Claims;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Host.Auth;
using Wolverine;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>Starting conversations, deciding requests, and everything members do in a conversation.</summary>
public static class ConversationEndpoints
{
    /// <summary>Starts a conversation with one or more people: a request for those who do not follow you, an accepted conversation for those who do. A recipient whose policy refuses is a 403 <c>policy_following_only</c> naming them in <c>refusedBy</c>; over the requests limit, 429.</summary>
    [WolverinePost("/conversations", OperationId = "requestConversation")]
    [ProducesResponseType<ConversationCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static Task<IResult> Request(RequestConversationBody body, ClaimsPrincipal user, IMessageBus bus)
 =>
        bus.StartConversation(new RequestConversation(Ids.New(), user.Handle(), body.To, body.Text, body.RoomId));

    /// <summary>Accepts a request waiting for you: the conversation moves to your inbox and you read it from your invitation on.</summary>
    [WolverinePost("/conversations/{id}/accept", OperationId = "acceptRequest")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Accept(string id, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new AcceptRequest(id, user.Handle()));

    /// <summary>Declines a request waiting for you; the sender is not told.</summary>
    [WolverinePost("/conversations/{id}/decline", OperationId = "declineRequest")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Decline(string id, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new DeclineRequest(id, user.Handle()));

    /// <summary>Declines a request waiting for you and blocks its sender.</summary>
    [WolverinePost("/conversations/{id}/block", OperationId = "blockRequester")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> BlockRequester(string id, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new BlockRequester(id, user.Handle()));

    /// <summary>Declines a request waiting for you and reports it, with an optional reason (the body may be omitted).</summary>
    [WolverinePost("/conversations/{id}/report", OperationId = "reportRequest")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static Task<IResult> Report(string id, ReasonBody? body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.Paced(new ReportRequest(id, user.Handle(), body?.Reason), _ => TypedResults.NoContent());

    /// <summary>Sends a message to a conversation you are in. A client-chosen <c>messageId</c> makes a retry safe: sent again, it is stored once and answered with the same id.</summary>
    [WolverinePost("/conversations/{id}/messages", OperationId = "sendMessage")]
    [ProducesResponseType<MessageCreated>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static Task<IResult> Send(string id, SendMessageBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        var messageId = body.MessageId ?? Ids.New();
        return bus.Paced(new SendMessage(id, messageId, user.Handle(), body.Text, body.ReplyTo),
            warning => TypedResults.Created($"/conversations/{id}", new MessageCreated(messageId, warning)));
    }

    /// <summary>Changes the text of your own message.</summary>
    [WolverinePut("/conversations/{id}/messages/{messageId}", OperationId = "editMessage")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Edit(string id, string messageId, EditMessageBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new EditMessage(id, messageId, user.Handle(), body.Text));

    /// <summary>Deletes your own message: members see a tombstone.</summary>
    [WolverineDelete("/conversations/{id}/messages/{messageId}", OperationId = "deleteMessage")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Delete(string id, string messageId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new DeleteMessage(id, messageId, user.Handle()));

    /// <summary>Reacts to a message with one emoji.</summary>
    [WolverinePost("/conversations/{id}/messages/{messageId}/reactions", OperationId = "reactToMessage")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> React(string id, string messageId, ReactionBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new ReactToMessage(id, messageId, user.Handle(), body.Emoji));

    /// <summary>Takes back your reaction; the emoji is percent-encoded in the route.</summary>
    [WolverineDelete("/conversations/{id}/messages/{messageId}/reactions/{emoji}", OperationId = "withdrawReaction")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> WithdrawReaction(string id, string messageId, string emoji, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new WithdrawReaction(id, messageId, user.Handle(), emoji));

    /// <summary>Reports a message, with an optional reason (the body may be omitted).</summary>
    [WolverinePost("/conversations/{id}/messages/{messageId}/report", OperationId = "reportMessage")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static Task<IResult> ReportMessage(string id, string messageId, ReasonBody? body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.Paced(new ReportMessage(id, messageId, user.Handle(), body?.Reason), _ => TypedResults.NoContent());

    /// <summary>Marks the conversation read up to a message, for you.</summary>
    [WolverinePost("/conversations/{id}/read", OperationId = "markRead")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> MarkRead(string id, MarkReadBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new MarkRead(id, user.Handle(), body.UpToMessageId));

    /// <summary>Mutes the conversation for you.</summary>
    [WolverinePost("/conversations/{id}/mute", OperationId = "muteConversation")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Mute(string id, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new MuteConversation(id, user.Handle(), Muted: true));

    /// <summary>Unmutes the conversation for you.</summary>
    [WolverineDelete("/conversations/{id}/mute", OperationId = "unmuteConversation")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Unmute(string id, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new MuteConversation(id, user.Handle(), Muted: false));

    /// <summary>Leaves the conversation: you read nothing sent while you are away.</summary>
    [WolverinePost("/conversations/{id}/leave", OperationId = "leaveConversation")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Leave(string id, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new LeaveConversation(id, user.Handle()));

    /// <summary>Renames a group conversation.</summary>
    [WolverinePut("/conversations/{id}/title", OperationId = "renameGroup")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Rename(string id, RenameGroupBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new RenameGroup(id, user.Handle(), body.Title));

    /// <summary>Invites people to a group conversation. Someone already there or already invited is skipped; a policy that refuses is a 403 naming them, over the requests limit 429.</summary>
    [WolverinePost("/conversations/{id}/members", OperationId = "addMembers")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    public static async Task<IResult> AddMembers(string id, AddMembersBody body, ClaimsPrincipal user, IMessageBus bus)
    {
        var result = await bus.InvokeAsync<MembersAdded>(new AddMembers(id, user.Handle(), body.UserIds));
        if (result.Throttle is { Refused: true } throttle) return BusResults.TooManyRequests(throttle);
        return result.RefusedBy.Count == 0 ? TypedResults.NoContent() : BusResults.RefusedByPolicy(result.RefusedBy);
    }

    /// <summary>Removes a member from a group: the group creator only.</summary>
    [WolverineDelete("/conversations/{id}/members/{userId}", OperationId = "removeMember")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> RemoveMember(string id, string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new RemoveMember(id, user.Handle(), userId));
}
