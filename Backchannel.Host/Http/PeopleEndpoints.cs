using System.Security.Claims;
using Backchannel.Domain.People;
using Backchannel.Host.Auth;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine;

namespace Backchannel.Host.Http;

/// <summary>The social graph: message policy, follows and blocks of the caller.</summary>
public static class PeopleEndpoints
{
    /// <summary>Sets who may reach you without a request: everyone, or only people you follow.</summary>
    [WolverinePut("/me/policy", OperationId = "setMessagePolicy")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> SetPolicy(SetPolicyBody body, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new SetMessagePolicy(user.Handle(), body.Policy));

    /// <summary>Follows someone: their messages reach you without a request, if your policy asks for that.</summary>
    [WolverinePost("/follows/{userId}", OperationId = "followUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Follow(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new FollowUser(user.Handle(), userId));

    /// <summary>Stops following someone.</summary>
    [WolverineDelete("/follows/{userId}", OperationId = "unfollowUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Unfollow(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new UnfollowUser(user.Handle(), userId));

    /// <summary>Blocks someone: nothing they send reaches you.</summary>
    [WolverinePost("/blocks/{userId}", OperationId = "blockUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Block(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new BlockUser(user.Handle(), userId));

    /// <summary>Unblocks someone.</summary>
    [WolverineDelete("/blocks/{userId}", OperationId = "unblockUser")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static Task<IResult> Unblock(string userId, ClaimsPrincipal user, IMessageBus bus) =>
        bus.NoContent(new UnblockUser(user.Handle(), userId));
}
