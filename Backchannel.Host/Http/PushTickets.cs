using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Backchannel.Host.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>
/// Tickets for browsers: <c>EventSource</c> cannot send an <c>Authorization</c> header, and a long-lived token in a URL
/// ends up in histories and proxy logs. A caller trades their bearer token for a ticket (<c>POST /push/tickets</c>) and
/// opens <c>GET /me/events?ticket=</c> with it: the ticket is bound to the caller, expires after
/// <c>Backchannel:PushTicketLifetime</c> (30 s) and is spent by the first stream that presents it (docs/api.md#push).
/// </summary>
public static class PushTicketEndpoint
{
    /// <summary>A ticket and how many seconds it stays valid.</summary>
    public sealed record PushTicket(string Ticket, int ExpiresInSeconds);

    /// <summary>Mints a single-use ticket for the caller's push stream.</summary>
    [WolverinePost("/push/tickets", OperationId = "mintPushTicket")]
    [ProducesResponseType<PushTicket>(StatusCodes.Status201Created)]
    public static IResult Mint(ClaimsPrincipal user, PushTickets tickets)
    {
        var (ticket, lifetime) = tickets.Mint(user.Handle());
        return TypedResults.Created(PushTickets.StreamPath, new PushTicket(ticket, (int)lifetime.TotalSeconds));
    }
}

/// <summary>
/// The tickets this node minted, in memory: each is kept only as its hash, spent on first use, and gone once expired.
/// A ticket is good on the node that minted it (behind a load balancer: the same node for both requests, or
/// fetch-based reading with the header, docs/api.md#push).
/// </summary>
public sealed class PushTickets(TimeProvider clock, IOptions<HostSettings> settings)
{
    /// <summary>The stream a ticket opens.</summary>
    public const string StreamPath = "/me/events";

    /// <summary>The query parameter that carries a ticket.</summary>
    public const string QueryName = "ticket";

    private readonly ConcurrentDictionary<string, (string UserId, DateTimeOffset Expires)> _byHash = new(StringComparer.Ordinal);

    /// <summary>How long a ticket lives.</summary>
    public TimeSpan Lifetime => settings.Value.PushTicketLifetime ?? HostSettings.DefaultPushTicketLifetime;

    /// <summary>A new ticket for <paramref name="userId"/>.</summary>
    public (string Ticket, TimeSpan Lifetime) Mint(string userId)
    {
        var now = clock.GetUtcNow();
        foreach (var (hash, entry) in _byHash)
            if (entry.Expires <= now) _byHash.TryRemove(hash, out _);
        var ticket = Base64Url(RandomNumberGenerator.GetBytes(32));
        _byHash[Hash(ticket)] = (userId, now + Lifetime);
        return (ticket, Lifetime);
    }

    /// <summary>The user a ticket was minted for, spending it; null when unknown, spent or expired.</summary>
    public string? Redeem(string ticket) =>
        _byHash.TryRemove(Hash(ticket), out var entry) && entry.Expires > clock.GetUtcNow() ? entry.UserId : null;

    /// <summary>
    /// Authenticates <c>GET /me/events?ticket=</c> as the ticket's user, unless the user has been erased since the
    /// ticket was minted. A ticket beside a bearer token is refused: one request, one identity.
    /// </summary>
    public static async Task Authenticate(MessageReceivedContext context)
    {
        var request = context.Request;
        if (!request.Path.Equals(StreamPath, StringComparison.Ordinal) || !request.Query.TryGetValue(QueryName, out var given)) return;
        if (request.Headers.Authorization.Count > 0)
        {
            context.Fail("Send a push ticket or a bearer token, not both.");
            return;
        }
        var userId = context.HttpContext.RequestServices.GetRequiredService<PushTickets>().Redeem(given.ToString());
        if (userId is null)
        {
            context.Fail("The push ticket is unknown, spent or expired.");
            return;
        }
        // Success here skips the token's own checks (OnTokenValidated): the erasure check is made here instead.
        if (await ErasedHandles.RefusalAsync(context.HttpContext, userId) is { } refusal)
        {
            context.Fail(refusal);
            return;
        }
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(BackchannelClaims.Subject, userId)],
            JwtBearerDefaults.AuthenticationScheme, BackchannelClaims.Subject, BackchannelClaims.Role));
        context.Success();
    }

    private static string Hash(string ticket) => Convert.ToHexString(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ticket)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
