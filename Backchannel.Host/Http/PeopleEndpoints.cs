using System.Security.Claims;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Host.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine;

namespace Backchannel.Host.Http;

/// <summary>The social graph: message policy, follows and blocks of the caller.</summary>
public static class PeopleEndpoints
{
    [WolverinePut("/me/policy", OperationId = "setMessagePolicy")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> SetPolicy(SetPolicyBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new SetMessagePolicy(user.Handle(), body.Policy));

    [WolverinePost("/follows/{userId}", OperationId = "followUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Follow(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new FollowUser(user.Handle(), userId));

    [WolverineDelete("/follows/{userId}", OperationId = "unfollowUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Unfollow(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new UnfollowUser(user.Handle(), userId));

    [WolverinePost("/blocks/{userId}", OperationId = "blockUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Block(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new BlockUser(user.Handle(), userId));

    [WolverineDelete("/blocks/{userId}", OperationId = "unblockUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Unblock(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new UnblockUser(user.Handle(), userId));
}

public static class BusResults
{
    /// <summary>Runs a command that answers nothing: 204, or the ProblemDetails of its refusal.</summary>
    public static async Task<IResult> NoContent(this IMessageBus bus, object command)
    {
        await bus.InvokeAsync(command);
        return TypedResults.NoContent();
    }

    /// <summary>Runs a command that starts a conversation: 201 with its location, or 403 when a recipient's policy refuses.</summary>
    public static async Task<IResult> StartConversation(this IMessageBus bus, object command)
    {
        var result = await bus.InvokeAsync<ConversationRequested>(command);
        return result.Started
            ? TypedResults.Created($"/conversations/{result.ConversationId}", new ConversationCreated(result.ConversationId, result.OpeningMessageId))
            : RefusedByPolicy(result.RefusedBy);
    }

    /// <summary>A refusal by the recipients' policy: recorded in the audit, then answered 403.</summary>
    public static IResult RefusedByPolicy(IReadOnlyList<string> refusedBy)
    {
        var problem = ProblemMapping.ToProblem(RuleViolation.Forbidden(AdmissionRules.PolicyFollowingOnly,
            $"{string.Join(", ", refusedBy)} only receive messages from people they follow.", "to"))!;
        problem.Extensions["refusedBy"] = refusedBy;
        return TypedResults.Problem(problem);
    }
}
