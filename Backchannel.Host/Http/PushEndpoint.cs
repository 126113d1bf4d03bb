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
    /// <c>Last-Event-ID</c> header (or <c>?lastEventId=</c> for clients that cannot set headers).
    /// </summary>
    [WolverineGet("/me/events", OperationId = "pushStream")]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/event-stream")]
    public static IResult Stream(HttpContext context, ClaimsPrincipal user, string? lastEventId, PushFeed feed) =>
        new ServerSentEvents(feed.ReadAsync(user.Handle(), ServerSentEvents.ResumePosition(context, lastEventId), context.RequestAborted));
}

/// <summary>Writes push frames in the Server-Sent Events format, flushing each so it leaves at once.</summary>
internal sealed class ServerSentEvents(IAsyncEnumerable<PushFrame> frames) : IResult
{
    // A browser reconnects 2 s after a drop, sending the last id it saw.
    private const string Start = "retry: 2000\n\n";
    private const string KeepAlive = ": keep-alive\n\n";

    /// <summary>The position to resume after: the <c>Last-Event-ID</c> header first (what browsers send), else the query.</summary>
    public static long? ResumePosition(HttpContext context, string? lastEventId)
    {
        var given = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? lastEventId;
        if (string.IsNullOrEmpty(given)) return null;
        if (long.TryParse(given, out var position) && position >= 0) return position;
        throw new FluentValidation.ValidationException(
            [new FluentValidation.Results.ValidationFailure("lastEventId", "lastEventId must be the id of an event this stream sent.")]);
    }

    public async Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        var ct = context.RequestAborted;
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) buffer responses by default, which would hold pushes back.
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await WriteAndFlush(response, Start, ct);
            await foreach (var frame in frames.WithCancellation(ct)) await WriteAndFlush(response, Format(frame), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away: the stream simply ends.
        }
    }

    private static string Format(PushFrame frame)
    {
        if (frame.Kind is null) return KeepAlive;
        var text = new StringBuilder();
        text.Append("id: ").Append(frame.Position).Append('\n');
        text.Append("event: ").Append(frame.Kind).Append('\n');
        text.Append("data: ").Append(JsonSerializer.Serialize(frame.Data, FeedWriter.PayloadJson)).Append("\n\n");
        return text.ToString();
    }

    private static async Task WriteAndFlush(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }
}
