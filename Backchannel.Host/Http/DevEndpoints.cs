using Backchannel.Domain.Common;
using Backchannel.Host.Auth;

namespace Backchannel.Host.Http;

/// <summary>Development only: mint a token for any handle without a sign-in.</summary>
public static class DevEndpoints
{
    public sealed record TokenRequest(string UserId, bool Operator = false);

    public sealed record TokenResponse(string Token);

    public static void Map(WebApplication app) =>
        app.MapPost("/dev/tokens", (TokenRequest request, TokenIssuer tokens) =>
                Rules.IsHandle(request.UserId)
                    ? Results.Ok(new TokenResponse(tokens.Mint(request.UserId, request.Operator)))
                    : Results.ValidationProblem(new Dictionary<string, string[]>
                    {
                        ["userId"] = ["'userId' must be a handle of 2 to 32 characters a-z, 0-9 or _."],
                    }))
            .AllowAnonymous()
            .WithName("mintDevToken")
            .WithSummary("Mints a bearer token for any handle, without a sign-in: only in the Development environment.");
}
