using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Backchannel.Host.Auth;

/// <summary>Mints and describes the validation of Backchannel's bearer tokens, from one <see cref="AuthSettings"/>.</summary>
public sealed class TokenIssuer(AuthSettings settings, TimeProvider clock)
{
    public string Mint(string userId, bool isOperator = false)
    {
        var claims = new List<Claim> { new(BackchannelClaims.Subject, userId) };
        if (isOperator) claims.Add(new Claim(BackchannelClaims.Role, BackchannelClaims.OperatorRole));
        var now = clock.GetUtcNow().UtcDateTime;
        var token = new JwtSecurityToken(settings.Issuer, settings.Audience, claims, now, now + settings.TokenLifetime,
            new SigningCredentials(SigningKey(settings), SecurityAlgorithms.HmacSha256));
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    /// <summary>Whether <see cref="SigningKey"/> can make a key of these settings.</summary>
    public static bool HasUsableKey(AuthSettings settings) => Encoding.UTF8.GetByteCount(settings.SigningKey ?? "") >= 32;

    public static SymmetricSecurityKey SigningKey(AuthSettings settings)
    {
        var bytes = Encoding.UTF8.GetBytes(settings.SigningKey);
        if (bytes.Length < 32)
            throw new InvalidOperationException($"{AuthSettings.Section}:SigningKey must be at least 32 bytes.");
        return new SymmetricSecurityKey(bytes);
    }

    /// <summary>
    /// A signed, unexpired token still names no caller unless its <c>sub</c> is a handle: without this, a token with
    /// no subject would reach an endpoint anonymous, and one with a malformed subject would act as nobody.
    /// </summary>
    public static Task RequireHandleSubject(Microsoft.AspNetCore.Authentication.JwtBearer.TokenValidatedContext context)
    {
        if (!Backchannel.Domain.Common.Rules.IsHandle(context.Principal?.FindFirstValue(BackchannelClaims.Subject)))
            context.Fail("The token's 'sub' claim must be a handle.");
        return Task.CompletedTask;
    }

    public static TokenValidationParameters ValidationParameters(AuthSettings settings) => new()
    {
        ValidIssuer = settings.Issuer,
        ValidAudience = settings.Audience,
        IssuerSigningKey = SigningKey(settings),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = BackchannelClaims.Subject,
        RoleClaimType = BackchannelClaims.Role,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}

public static class CallerExtensions
{
    /// <summary>The caller's handle; endpoints run only for authenticated callers, whose token has a <c>sub</c>.</summary>
    public static string Handle(this ClaimsPrincipal user) =>
        user.FindFirstValue(BackchannelClaims.Subject) ?? throw new UnauthorizedAccessException("The token has no 'sub' claim.");

    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(BackchannelClaims.OperatorRole);
}
