using Backchannel.Domain.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Backchannel.Host.Auth;

/// <summary>
/// A handle that has been erased (or whose erasure is under way) signs in no more: a token for it, however valid, is
/// refused (401). Checked on every authenticated request, by a read that starts after the request arrived (the requests
/// arriving together share one: <see cref="ErasureChecks"/>), so that it holds from the moment the erasure is recorded,
/// on every node. A push ticket (<see cref="Http.PushTickets"/>), minted while the handle was live, is checked again
/// when it is redeemed.
/// </summary>
public static class ErasedHandles
{
    /// <summary>The failure of a request whose client went away before its handle was checked.</summary>
    public const string ClientGone = "The request was aborted before its handle was checked.";

    /// <summary>The failure of a sign-in as an erased handle.</summary>
    public const string Erased = "This handle has been erased.";

    /// <summary>
    /// Why <paramref name="handle"/> may not sign in on <paramref name="http"/>'s request (<see cref="Erased"/>, or
    /// <see cref="ClientGone"/>), or null: it may. Every way of signing in asks this, the bearer token and the push
    /// ticket alike.
    /// </summary>
    public static async Task<string?> RefusalAsync(HttpContext http, string handle)
    {
        var checks = http.RequestServices.GetRequiredService<ErasureChecks>();
        var aborted = http.RequestAborted;
        try
        {
            return await checks.IsErasedAsync(handle, aborted) ? Erased : null;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client hung up while its check waited: nobody is left to answer, and an exception here would reach the
            // log as an authentication error with its stack trace, once per dropped connection.
            return ClientGone;
        }
    }

    /// <summary>The token's <c>sub</c> must be a handle (<see cref="TokenIssuer.RequireHandleSubject"/>) that is not erased.</summary>
    public static async Task RequireLiveHandle(TokenValidatedContext context)
    {
        await TokenIssuer.RequireHandleSubject(context);
        if (context.Result is { Failure: not null }) return;
        var handle = context.Principal!.FindFirstValue(BackchannelClaims.Subject)!;
        if (await RefusalAsync(context.HttpContext, handle) is { } refusal) context.Fail(refusal);
    }
}
