using System.Text.Json;
using Marten;

namespace Backchannel.Projections.Audit;

/// <summary>Reading the audit of request decisions: by viewer, user and time range, or all of it for export.</summary>
public static class AuditQueries
{
    public const int DefaultLimit = 500;

    /// <summary>
    /// Entries the viewer may read (an operator: all), about <paramref name="userId"/> when given (as requester or
    /// recipient), between <paramref name="from"/> and <paramref name="to"/>, oldest first.
    /// </summary>
    /// <remarks>A viewer who is not an operator reads each entry as <see cref="RequestAuditEntry.SeenBy"/> shapes it.</remarks>
    public static async Task<IReadOnlyList<RequestAuditEntry>> RequestAuditAsync(this IQuerySession session, string viewer,
        bool isOperator, string? userId, DateTimeOffset? from, DateTimeOffset? to, int limit = DefaultLimit,
        CancellationToken ct = default)
    {
        var query = session.Query<RequestAuditEntry>().AsQueryable();
        if (!isOperator) query = query.Where(e => e.VisibleTo.Contains(viewer));
        if (userId is not null) query = query.Where(e => e.Requester == userId || e.Recipient == userId);
        // Npgsql takes a timestamptz parameter only in UTC.
        if (from?.ToUniversalTime() is { } since) query = query.Where(e => e.At >= since);
        if (to?.ToUniversalTime() is { } until) query = query.Where(e => e.At < until);
        var entries = await query.OrderBy(e => e.Sequence).Take(limit).ToListAsync(ct);
        return isOperator ? entries : entries.Select(e => e.SeenBy(viewer)).ToList();
    }

    /// <summary>Every entry, oldest first, streamed: the source of the JSON-lines export.</summary>
    public static IAsyncEnumerable<RequestAuditEntry> AllRequestAudit(this IQuerySession session, CancellationToken ct = default) =>
        session.Query<RequestAuditEntry>().OrderBy(e => e.Sequence).ToAsyncEnumerable(ct);
}

/// <summary>The two audit logs: decisions on message requests, and decisions on rooms, questions and events.</summary>
public enum AuditLog
{
    Requests,
    Rooms,
    Moderation,
}

public static class AuditExport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Writes a whole audit log as JSON lines, one entry a line, oldest first, streaming.</summary>
    public static Task<int> WriteJsonLinesAsync(this IQuerySession session, Stream output, AuditLog log = AuditLog.Requests,
        CancellationToken ct = default) => log switch
    {
        AuditLog.Rooms => WriteAsync(session.Query<RoomAuditEntry>().OrderBy(e => e.Sequence).ToAsyncEnumerable(ct), output, ct),
        AuditLog.Moderation => WriteAsync(session.Query<Safety.ModerationAuditEntry>().OrderBy(e => e.Sequence).ToAsyncEnumerable(ct), output, ct),
        _ => WriteAsync(session.AllRequestAudit(ct), output, ct),
    };

    private static async Task<int> WriteAsync<T>(IAsyncEnumerable<T> entries, Stream output, CancellationToken ct)
    {
        var count = 0;
        var newline = "\n"u8.ToArray();
        await foreach (var entry in entries)
        {
            await JsonSerializer.SerializeAsync(output, entry, Json, ct);
            await output.WriteAsync(newline, ct);
            count++;
        }
        await output.FlushAsync(ct);
        return count;
    }
}

/// <summary>Reading the audit of rooms, the stage, questions and events (operators only: it names anonymous askers).</summary>
public static class RoomAuditQueries
{
    /// <summary>Entries about a room, an event or a person (as actor or subject), in a time range, oldest first.</summary>
    public static Task<IReadOnlyList<RoomAuditEntry>> RoomAuditAsync(this IQuerySession session, string? roomId, string? eventId,
        string? userId, DateTimeOffset? from, DateTimeOffset? to, int limit = AuditQueries.DefaultLimit, CancellationToken ct = default)
    {
        var query = session.Query<RoomAuditEntry>().AsQueryable();
        if (roomId is not null) query = query.Where(e => e.RoomId == roomId);
        if (eventId is not null) query = query.Where(e => e.EventId == eventId);
        if (userId is not null) query = query.Where(e => e.Actor == userId || e.Subject == userId);
        // Npgsql takes a timestamptz parameter only in UTC.
        if (from?.ToUniversalTime() is { } since) query = query.Where(e => e.At >= since);
        if (to?.ToUniversalTime() is { } until) query = query.Where(e => e.At < until);
        return query.OrderBy(e => e.Sequence).Take(limit).ToListAsync(ct);
    }
}
