using System.Linq.Expressions;
using System.Text.Json;
using Marten;
using Marten.Linq.MatchesSql;

namespace Backchannel.Projections.Audit;

/// <summary>Reading the audit of request decisions: by viewer, user and time range, or all of it for export.</summary>
public static class AuditQueries
{
    /// <summary>The entries of <see cref="RequestAuditAsync"/> and <see cref="RoomAuditQueries.RoomAuditAsync"/> unless told.</summary>
    public const int DefaultLimit = 500;

    private const string List = "requestAudit";

    /// <summary>
    /// Entries the viewer may read (an operator: all), about <paramref name="userId"/> when given (as requester or
    /// recipient), between <paramref name="from"/> and <paramref name="to"/>, oldest first.
    /// </summary>
    /// <remarks>A viewer who is not an operator reads each entry as <see cref="RequestAuditEntry.SeenBy"/> shapes it.</remarks>
    public static async Task<IReadOnlyList<RequestAuditEntry>> RequestAuditAsync(this IQuerySession session, string viewer,
        bool isOperator, string? userId, DateTimeOffset? from, DateTimeOffset? to, int limit = DefaultLimit,
        CancellationToken ct = default) =>
        (await session.RequestAuditPageAsync(viewer, isOperator, userId, from, to, null, limit, ct)).Items;

    /// <summary>A page of <see cref="RequestAuditAsync"/> after <paramref name="after"/> (a cursor of an earlier page, or null for the first).</summary>
    public static async Task<Page<RequestAuditEntry>> RequestAuditPageAsync(this IQuerySession session, string viewer,
        bool isOperator, string? userId, DateTimeOffset? from, DateTimeOffset? to, string? after, int limit = Paging.DefaultLimit,
        CancellationToken ct = default)
    {
        var query = session.Query<RequestAuditEntry>().AsQueryable();
        if (!isOperator) query = query.Where(VisibleTo(viewer));
        if (userId is not null) query = query.Where(e => e.Requester == userId || e.Recipient == userId);
        // Npgsql takes a timestamptz parameter only in UTC.
        if (from?.ToUniversalTime() is { } since) query = query.Where(e => e.At >= since);
        if (to?.ToUniversalTime() is { } until) query = query.Where(e => e.At < until);
        if (after is not null)
        {
            var position = Paging.Sequence(List, after);
            query = query.Where(e => e.Sequence > position);
        }
        var page = Paging.Of(await query.OrderBy(e => e.Sequence).Take(limit + 1).ToListAsync(ct), limit,
            e => Paging.Cursor(List, e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return isOperator ? page : page with { Items = page.Items.Select(e => e.SeenBy(viewer)).ToList() };
    }

    /// <summary>
    /// The entries <paramref name="viewer"/> may read, compared in the one list as its own index is built
    /// (BackchannelRegistration): Marten would compare it within the whole document.
    /// </summary>
    internal static Expression<Func<RequestAuditEntry, bool>> VisibleTo(string viewer) =>
        e => e.MatchesSql("d.data -> 'visibleTo' @> jsonb_build_array(?::text)", viewer);

    /// <summary>Every entry, oldest first, streamed: the source of the JSON-lines export.</summary>
    public static IAsyncEnumerable<RequestAuditEntry> AllRequestAudit(this IQuerySession session, CancellationToken ct = default) =>
        session.Query<RequestAuditEntry>().OrderBy(e => e.Sequence).ToAsyncEnumerable(ct);
}

/// <summary>The two audit logs: decisions on message requests, and decisions on rooms, questions and events.</summary>
public enum AuditLog
{
    /// <summary>Decisions on message requests (<see cref="RequestAuditEntry"/>): operators, requesters and recipients read it.</summary>
    Requests,
    /// <summary>Decisions on rooms, the stage, questions and events (<see cref="RoomAuditEntry"/>): operators only.</summary>
    Rooms,
    /// <summary>Operators' decisions on reports and suspensions (<see cref="Safety.ModerationAuditEntry"/>): operators only.</summary>
    Moderation,
}

/// <summary>Writes an audit log as JSON lines, one entry a line, oldest first: what operators export.</summary>
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
    private const string List = "roomAudit";

    /// <summary>Entries about a room, an event or a person (as actor or subject), in a time range, oldest first.</summary>
    public static async Task<IReadOnlyList<RoomAuditEntry>> RoomAuditAsync(this IQuerySession session, string? roomId, string? eventId,
        string? userId, DateTimeOffset? from, DateTimeOffset? to, int limit = AuditQueries.DefaultLimit, CancellationToken ct = default) =>
        (await session.RoomAuditPageAsync(roomId, eventId, userId, from, to, null, limit, ct)).Items;

    /// <summary>A page of <see cref="RoomAuditAsync"/> after <paramref name="after"/> (a cursor of an earlier page, or null for the first).</summary>
    public static async Task<Page<RoomAuditEntry>> RoomAuditPageAsync(this IQuerySession session, string? roomId, string? eventId,
        string? userId, DateTimeOffset? from, DateTimeOffset? to, string? after, int limit = Paging.DefaultLimit, CancellationToken ct = default)
    {
        var query = session.Query<RoomAuditEntry>().AsQueryable();
        if (roomId is not null) query = query.Where(e => e.RoomId == roomId);
        if (eventId is not null) query = query.Where(e => e.EventId == eventId);
        if (userId is not null) query = query.Where(e => e.Actor == userId || e.Subject == userId);
        // Npgsql takes a timestamptz parameter only in UTC.
        if (from?.ToUniversalTime() is { } since) query = query.Where(e => e.At >= since);
        if (to?.ToUniversalTime() is { } until) query = query.Where(e => e.At < until);
        if (after is not null)
        {
            var position = Paging.Sequence(List, after);
            query = query.Where(e => e.Sequence > position);
        }
        return Paging.Of(await query.OrderBy(e => e.Sequence).Take(limit + 1).ToListAsync(ct), limit,
            e => Paging.Cursor(List, e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
