using Backchannel.Domain.Common;
using Backchannel.Domain.Safety;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;

namespace Backchannel.Projections.Safety;

/// <summary>
/// One operator's decision of trust and safety: a report dismissed, a message removed, a user suspended or their
/// suspension lifted; the operator is the actor, with their reason. Operators only read it: a reason may name a reporter.
/// </summary>
public sealed class ModerationAuditEntry
{
    /// <summary>The id of the event the entry records.</summary>
    public Guid Id { get; set; }
    /// <summary>The event's global sequence: the audit's order.</summary>
    public long Sequence { get; set; }
    /// <summary>The stored name of the event: <c>report_dismissed</c>, <c>message_removed_by_moderation</c>, <c>user_suspended</c>, <c>suspension_lifted</c>.</summary>
    public string Action { get; set; } = "";
    /// <summary>The operator.</summary>
    public string Actor { get; set; } = "";
    /// <summary>The user the decision is about: the reported author, or the suspended user.</summary>
    public string Subject { get; set; } = "";
    /// <summary>The report case decided, if any.</summary>
    public string? ReportId { get; set; }
    /// <summary>The conversation of the case, if any.</summary>
    public string? ConversationId { get; set; }
    /// <summary>The message removed, if any.</summary>
    public string? MessageId { get; set; }
    /// <summary>The end of a suspension; null for one until lifted, and for other decisions.</summary>
    public DateTimeOffset? Until { get; set; }
    /// <summary>The operator's reason.</summary>
    public string? Reason { get; set; }
    /// <summary>When it was decided.</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>The correlation id of the command.</summary>
    public string? CorrelationId { get; set; }
    /// <summary>The causation id of the command.</summary>
    public string? CausationId { get; set; }
}

/// <summary>Writes one <see cref="ModerationAuditEntry"/> per operator decision (async: the audit may lag, never lose).</summary>
internal partial class ModerationAuditProjection : EventProjection
{
    /// <summary>The projection's name, for rebuilds and the daemon.</summary>
    public const string ProjectionName = "ModerationAudit";

    /// <summary>Named <see cref="ProjectionName"/>.</summary>
    public ModerationAuditProjection() => Name = ProjectionName;

    /// <summary>A case dismissed.</summary>
    public ModerationAuditEntry Create(IEvent<ReportDismissed> e) =>
        Entry(e, e.Data.DismissedBy, e.Data.ReportedUser, e.Data.Reason, e.Data.At, e.Data.ReportId, e.Data.ConversationId);

    /// <summary>A message removed.</summary>
    public ModerationAuditEntry Create(IEvent<MessageRemovedByModeration> e)
    {
        var entry = Entry(e, e.Data.RemovedBy, e.Data.Author, e.Data.Reason, e.Data.At, e.Data.ReportId, e.Data.ConversationId);
        entry.MessageId = e.Data.MessageId;
        return entry;
    }

    /// <summary>A user suspended.</summary>
    public ModerationAuditEntry Create(IEvent<UserSuspended> e)
    {
        var entry = Entry(e, e.Data.SuspendedBy, e.Data.UserId, e.Data.Reason, e.Data.At, null, null);
        entry.Until = e.Data.Until;
        return entry;
    }

    /// <summary>A suspension lifted.</summary>
    public ModerationAuditEntry Create(IEvent<SuspensionLifted> e) =>
        Entry(e, e.Data.LiftedBy, e.Data.UserId, e.Data.Reason, e.Data.At, null, null);

    private static ModerationAuditEntry Entry(IEvent e, string actor, string subject, string? reason, DateTimeOffset at, string? reportId,
        string? conversationId) => new()
    {
        Id = e.Id,
        Sequence = e.Sequence,
        Action = EventNames.All[e.EventType],
        Actor = actor,
        Subject = subject,
        ReportId = reportId,
        ConversationId = conversationId,
        Reason = reason,
        At = at,
        CorrelationId = e.CorrelationId,
        CausationId = e.CausationId,
    };
}

/// <summary>Reading the moderation audit (operators only).</summary>
public static class ModerationAuditQueries
{
    /// <summary>Entries about <paramref name="userId"/> (as operator or subject) in a time range, oldest first.</summary>
    public static async Task<IReadOnlyList<ModerationAuditEntry>> ModerationAuditAsync(this IQuerySession session, string? userId,
        DateTimeOffset? from, DateTimeOffset? to, int limit = Audit.AuditQueries.DefaultLimit, CancellationToken ct = default) =>
        (await session.ModerationAuditPageAsync(userId, from, to, null, limit, ct)).Items;

    /// <summary>A page of <see cref="ModerationAuditAsync"/> after <paramref name="after"/> (a cursor of an earlier page, or null for the first).</summary>
    public static async Task<Page<ModerationAuditEntry>> ModerationAuditPageAsync(this IQuerySession session, string? userId,
        DateTimeOffset? from, DateTimeOffset? to, string? after, int limit = Paging.DefaultLimit, CancellationToken ct = default)
    {
        var query = session.Query<ModerationAuditEntry>().AsQueryable();
        if (userId is not null) query = query.Where(e => e.Actor == userId || e.Subject == userId);
        // Npgsql takes a timestamptz parameter only in UTC.
        if (from?.ToUniversalTime() is { } since) query = query.Where(e => e.At >= since);
        if (to?.ToUniversalTime() is { } until) query = query.Where(e => e.At < until);
        if (after is not null)
        {
            var position = Paging.Sequence(AuditList, after);
            query = query.Where(e => e.Sequence > position);
        }
        return Paging.Of(await query.OrderBy(e => e.Sequence).Take(limit + 1).ToListAsync(ct), limit,
            e => Paging.Cursor(AuditList, e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private const string AuditList = "moderationAudit";
}
