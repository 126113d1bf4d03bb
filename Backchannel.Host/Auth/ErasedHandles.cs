using Backchannel.Domain.Common;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Backchannel.Host.Auth;

/// <summary>
/// A handle that has been erased (or whose erasure is under way) signs in no more: a token for it, however valid, is
/// refused (401). Checked on every authenticated request, by a read that starts after the request arrived (the requests
/// arriving together share one: <see cref="ErasureChecks"/>), so that it holds from the moment the erasure is recorded,
/// on every node.
/// </summary>
public static class ErasedHandles
{
    /// <summary>The failure of a request whose client went away before its handle was checked.</summary>
    public const string ClientGone = "The request was aborted before its handle was checked.";

    /// <summary>The token's <c>sub</c> must be a handle (<see cref="TokenIssuer.RequireHandleSubject"/>) that is not erased.</summary>
    public static async Task RequireLiveHandle(TokenValidatedContext context)
    {
        await TokenIssuer.RequireHandleSubject(context);
        if (context.Result is { Failure: not null }) return;
        var handle = context.Principal!.FindFirstValue(BackchannelClaims.Subject)!;
        var checks = context.HttpContext.RequestServices.GetRequiredService<ErasureChecks>();
        var aborted = context.HttpContext.RequestAborted;
        bool erased;
        try
        {
            erased = await checks.IsErasedAsync(handle, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client hung up while its check waited: nobody is left to answer, and an exception here would reach the
            // log as an authentication error with its stack trace, once per dropped connection.
            context.Fail(ClientGone);
            return;
        }
        if (erased) context.Fail("This handle has been erased.");
    }
}
