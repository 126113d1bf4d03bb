using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Backchannel.Host.Auth;
using Backchannel.Projections.Push;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>The caller's push stream: Server-Sent Events of what changes in their views (docs/api.md#push).</summary>
public static class PushEndpoint
{
    /// <summary>
    /// Streams the caller's feed as <c>text/event-stream</c>: from now, or after the position in the
    /// <c>Last-Event-ID</c> header (or <c>?lastEventId=</c> for clients that cannot set headers). A caller already
    /// holding <c>Backchannel:PushStreamsPerUser</c> streams on this node is refused 429, a full node 503.
    /// </summary>
    [WolverineGet("/me/events", OperationId = "pushStream")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status429TooManyRequests, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static IResult Stream(HttpContext context, ClaimsPrincipal user, string? lastEventId, PushFeed feed, PushStreamSlots slots) =>
        new ServerSentEvents(user.Handle(), ServerSentEvents.ResumePosition(context, lastEventId), feed, slots);
}

/// <summary>
/// Writes push frames in the Server-Sent Events format, flushing each so it leaves at once, while the stream holds one
/// of the node's slots: taken before anything is read, freed however the stream ends.
/// </summary>
internal sealed class ServerSentEvents(string userId, long? after, PushFeed feed, PushStreamSlots slots) : IResult
{
    /// <summary>The <c>Retry-After</c> of a refused stream: a slot frees when one of the caller's streams ends.</summary>
    public const int RetryAfterSeconds = 5;

    // A browser reconnects 2 s after a drop, sending the last id it saw.
    private const string Start = "retry: 2000\n\n";
    private const string KeepAlive = ": keep-alive\n\n";

    /// <summary>The position to resume after: the <c>Last-Event-ID</c> header first (what browsers send), else the query.</summary>
    public static long? ResumePosition(HttpContext context, string? lastEventId)
    {
        var given = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId;
        if (string.IsNullOrEmpty(given)) return null;
        // ASCII digits only: no sign, spaces, other scripts' digits or trailing NULs (which long.TryParse ignores), so
        // one position has one spelling.
        if (given.All(char.IsAsciiDigit) && long.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
            return position;
        throw new FluentValidation.ValidationException(
            [new FluentValidation.Results.ValidationFailure("lastEventId", "lastEventId must be the id of an event this stream sent.")]);
    }

    public async Task ExecuteAsync(HttpContext context)
    {
        using var slot = slots.TryTake(userId, out var refusal);
        if (slot is null)
        {
            await Refuse(context, refusal);
            return;
        }
        var response = context.Response;
        var ct = context.RequestAborted;
        var frames = feed.ReadAsync(userId, after, ct);
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) buffer responses by default, which would hold pushes back.
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await WriteAndFlush(response, Start, ct);
            var heartbeat = context.RequestServices.GetRequiredService<Backchannel.Domain.Common.BackchannelSettings>().PushHeartbeat;
            var signedIn = Stopwatch.StartNew();
            await foreach (var frame in frames.WithCancellation(ct))
            {
                // A stream outlives the sign-in that opened it: at each heartbeat (and at least that often on a busy
                // stream) it asks again whether its handle was erased, and an erased handle's stream ends.
                if (frame.Kind is null || signedIn.Elapsed >= heartbeat)
                {
                    if (await Auth.ErasedHandles.RefusalAsync(context, userId) is not null) return;
                    signedIn.Restart();
                }
                await WriteAndFlush(response, Format(frame), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The client went away: the stream simply ends.
        }
    }

    private static Task Refuse(HttpContext context, PushRefusal refusal)
    {
        var (status, code, detail) = refusal switch
        {
            PushRefusal.TooManyStreams => (StatusCodes.Status429TooManyRequests, "too_many_streams",
                "You hold as many push streams on this server as one user may; close one (or reuse it) and retry."),
            _ => (StatusCodes.Status503ServiceUnavailable, "push_streams_exhausted",
                "This server holds as many push streams as it may; retry shortly."),
        };
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var problem = ProblemMapping.Retry(ProblemMapping.Problem(status, code, code.Replace('_', ' '), detail), RetryAfterSeconds);
        return TypedResults.Problem(problem).ExecuteAsync(context);
    }

    private static string Format(PushFrame frame)
    {
        if (frame.Kind is null) return KeepAlive;
        var text = new StringBuilder();
        text.Append("id: ").Append(frame.Position).Append('\n');
        text.Append("event: ").Append(frame.Kind).Append('\n');
        text.Append("data: ").Append(JsonSerializer.Serialize(frame.Data, PushFeed.PayloadJson)).Append("\n\n");
        return text.ToString();
    }

    private static async Task WriteAndFlush(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }
}
