using Backchannel.Domain.Common;
using System.Security.Claims;
using Backchannel.Domain.Privacy;
using Backchannel.Host.Auth;
using Backchannel.Projections.Privacy;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>A user's own data: take it out (export), or have it erased (the user, or an operator).</summary>
public static class PrivacyEndpoints
{
    /// <summary>The log category of erasures: one line per run, with what it did, never what it removed.</summary>
    public const string LogCategory = "Backchannel.Erasure";

    /// <summary>The caller's own data as one JSON document, streamed as it is read. See docs/api.md, export and erasure.</summary>
    [WolverineGet("/me/export", OperationId = "exportMyData")]
    [ProducesResponseType<ExportDocument>(StatusCodes.Status200OK, "application/json")]
    public static IResult Export(ClaimsPrincipal user, IBackchannelStore store, TimeProvider clock) =>
        new StreamedExport(user.Handle(), store, clock.GetUtcNow());

    /// <summary>Erases the caller: every text they wrote is masked everywhere, and their tokens stop working.</summary>
    [WolverineDelete("/me", OperationId = "eraseMe")]
    [ProducesResponseType<ErasureReport>(StatusCodes.Status200OK)]
    public static Task<ErasureReport> EraseMe(ClaimsPrincipal user, IBackchannelStore store, TimeProvider clock, ILoggerFactory logs,
        CancellationToken ct) =>
        Erase(new EraseUser(user.Handle(), user.Handle(), user.IsOperator()), store, clock, logs, ct);

    /// <summary>Erases any user: operators only (403 <c>operators_only</c>), or the user themselves.</summary>
    [WolverinePost("/users/{userId}/erasure", OperationId = "eraseUser")]
    [ProducesResponseType<ErasureReport>(StatusCodes.Status200OK)]
    public static Task<ErasureReport> EraseUser(string userId, ClaimsPrincipal user, IBackchannelStore store, TimeProvider clock,
        ILoggerFactory logs, CancellationToken ct) =>
        Erase(new EraseUser(userId, user.Handle(), user.IsOperator()), store, clock, logs, ct);

    private static async Task<ErasureReport> Erase(EraseUser command, IBackchannelStore store, TimeProvider clock, ILoggerFactory logs,
        CancellationToken ct)
    {
        var log = logs.CreateLogger(LogCategory);
        var report = await store.EraseUserAsync(command, clock,
            new Progress(p => log.LogDebug("Erasing {UserId}: stream {Stream}, {Events} events masked, {Documents} documents changed",
                command.UserId, p.StreamKey, p.EventsMasked, p.DocumentsChanged)), ct: ct);
        log.LogInformation("Erased {UserId} (asked by {RequestedBy}{Operator}): {Streams} streams, {Events} events masked, " +
                           "{Documents} documents changed{Repeat}", report.UserId, command.RequestedBy, command.ByOperator ? ", operator" : "",
            report.Streams, report.EventsMasked, report.DocumentsChanged, report.AlreadyErased ? " (already erased before)" : "");
        return report;
    }

    private sealed class Progress(Action<ErasureProgress> report) : IProgress<ErasureProgress>
    {
        public void Report(ErasureProgress value) => report(value);
    }
}

/// <summary>The shape of <c>GET /me/export</c>, for the OpenAPI document (the endpoint writes it as it reads).</summary>
public sealed record ExportDocument(
    string UserId,
    DateTimeOffset ExportedAt,
    string Policy,
    IReadOnlyList<string> Following,
    IReadOnlyList<string> Blocked,
    IReadOnlyList<ExportedConversation> Conversations,
    IReadOnlyList<ExportedRoom> Rooms,
    IReadOnlyList<ExportedEvent> Events,
    IReadOnlyList<ExportedText> Written);

/// <summary>A conversation the user is in; all but the id and their status only while they may still see it.</summary>
public sealed record ExportedConversation(string ConversationId, string YourStatus, DateTimeOffset Since, string? Kind, string? Title,
    string? CreatedBy, string? RoomId, string? EventId, bool? Muted, IReadOnlyList<ExportedMember>? Members);

/// <summary>Another member, as the user may see them.</summary>
public sealed record ExportedMember(string UserId, string Status);

/// <summary>A room the user was in.</summary>
public sealed record ExportedRoom(string RoomId, string? Title, string Role, bool Present, DateTimeOffset JoinedAt);

/// <summary>An event the user hosts.</summary>
public sealed record ExportedEvent(string EventId, string Title, DateTimeOffset StartsAt, string Role, bool Cancelled);

/// <summary>One event carrying text the user wrote: its stored name, its stream, and the event as the API shows it.</summary>
public sealed record ExportedText(string Type, string StreamId, System.Text.Json.JsonElement Data);

/// <summary>Writes the export to the response as it reads it.</summary>
internal sealed class StreamedExport(string userId, IBackchannelStore store, DateTimeOffset now) : IResult
{
    public async Task ExecuteAsync(HttpContext http)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        http.Response.Headers.ContentDisposition = "attachment; filename=\"backchannel-export.json\"";
        await store.WriteExportAsync(userId, http.Response.Body, now, ct: http.RequestAborted);
    }
}
