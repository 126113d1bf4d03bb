using System.Globalization;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Safety;
using Backchannel.Projections.Conversations;
using Marten;

namespace Backchannel.Projections.Safety;

/// <summary>
/// One case of the operators' report queue: every report of one request or one message, what was reported as the
/// first of its reporters saw it, the recent messages of the conversation that reporter could read, who reported,
/// why and when, the decisions taken, and how many open reports the reported user has in all.
/// </summary>
/// <param name="ReportId">The case's id, for its decisions.</param>
/// <param name="Kind">A request or a message.</param>
/// <param name="Status">Open or resolved.</param>
/// <param name="ConversationId">Where it was reported.</param>
/// <param name="MessageId">The reported message; null for a request.</param>
/// <param name="ReportedUser">The requester, or the message's author.</param>
/// <param name="Reports">Every report of the case: reporter, reason, when, whether still open.</param>
/// <param name="Decisions">Operators' decisions on the case so far.</param>
/// <param name="QueuedAt">When the case last became open.</param>
/// <param name="ResolvedAt">When it was last resolved.</param>
/// <param name="Reported">The reported message, or the request's messages from its requester that the reporter could read.</param>
/// <param name="Context">Up to <see cref="ReportQueueQueries.ContextSize"/> of the last messages the reporter could read when they reported.</param>
/// <param name="ReportedUserOpenReports">The reported user's open reports, in every case.</param>
public sealed record ReportQueueItem(
    string ReportId,
    ReportKind Kind,
    ReportStatus Status,
    string ConversationId,
    string? MessageId,
    string ReportedUser,
    int ReportedUserOpenReports,
    IReadOnlyList<MessageView> Reported,
    IReadOnlyList<MessageView> Context,
    IReadOnlyList<FiledReport> Reports,
    IReadOnlyList<ReportDecision> Decisions,
    DateTimeOffset QueuedAt,
    DateTimeOffset? ResolvedAt);

/// <summary>The operators' report queue: open cases oldest first, resolved ones newest first.</summary>
public static class ReportQueueQueries
{
    /// <summary>How many of the last messages the reporter could read a case shows.</summary>
    public const int ContextSize = 20;

    /// <summary>
    /// A page of cases in <paramref name="status"/> after the cursor <paramref name="after"/> (from the start when null;
    /// a 400 naming <c>after</c> when it is not a cursor of this list, so a cursor of the open cases cannot page the
    /// resolved ones). Open
    /// cases come oldest first by when they were reported, so the longest waiting is decided first; resolved ones newest
    /// decision first.
    /// </summary>
    public static async Task<Page<ReportQueueItem>> ReportQueueAsync(this IQuerySession session, ReportStatus status, string? after,
        int limit = Paging.DefaultLimit, CancellationToken ct = default)
    {
        var list = ListName(status);
        var query = session.Query<ReportCase>().Where(c => c.Status == status);
        long ticks = 0, order = 0;
        if (after is not null) (ticks, order) = Position(list, after);
        var paged = after is not null;
        var page = status == ReportStatus.Open
            ? await (paged ? query.Where(c => c.QueuedTicks > ticks || (c.QueuedTicks == ticks && c.Order > order)) : query)
                .OrderBy(c => c.QueuedTicks).ThenBy(c => c.Order).Take(limit + 1).ToListAsync(ct)
            : await (paged ? query.Where(c => c.ResolvedTicks < ticks || (c.ResolvedTicks == ticks && c.Order < order)) : query)
                .OrderByDescending(c => c.ResolvedTicks).ThenByDescending(c => c.Order).Take(limit + 1).ToListAsync(ct);
        var cases = page.Take(limit).ToList();
        var users = cases.Select(c => c.ReportedUser).Distinct().ToList();
        var open = users.Count == 0 ? [] : await session.Query<ReportCase>()
            .Where(c => c.Status == ReportStatus.Open && users.Contains(c.ReportedUser))
            .Select(c => new { c.ReportedUser, c.OpenReports })
            .ToListAsync(ct);
        var openByUser = open.GroupBy(o => o.ReportedUser).ToDictionary(g => g.Key, g => g.Sum(o => o.OpenReports));

        var items = new List<ReportQueueItem>();
        foreach (var report in cases)
        {
            var (reported, context) = await SeenByReporterAsync(session, report, ct);
            items.Add(new ReportQueueItem(report.Id, report.Kind, report.Status, report.ConversationId, report.MessageId, report.ReportedUser,
                openByUser.GetValueOrDefault(report.ReportedUser), reported, context, report.Reports, report.Decisions, report.QueuedAt, report.ResolvedAt));
        }
        var last = cases.LastOrDefault();
        var next = page.Count > limit && last is not null
            ? Paging.Cursor(list, Number(status == ReportStatus.Open ? last.QueuedTicks : last.ResolvedTicks), Number(last.Order))
            : null;
        return new Page<ReportQueueItem>(items, next);
    }

    /// <summary>
    /// The conversation as the case's first reporter of the current round could read it when they reported: folded
    /// from its stream up to their report, kept to the messages of their history (and, for a request, of what it
    /// showed them). A message deleted or removed by moderation since is so here too, as in every version of a thread.
    /// </summary>
    private static async Task<(IReadOnlyList<MessageView> Reported, IReadOnlyList<MessageView> Context)> SeenByReporterAsync(
        IQuerySession session, ReportCase report, CancellationToken ct)
    {
        var first = report.Reports.FirstOrDefault(r => r.Open) ?? report.Reports[0];
        var events = await session.Events.FetchStreamAsync(report.ConversationId, first.Version, token: ct);
        ConversationView? view = null;
        var messages = new Dictionary<string, MessageState>();
        foreach (var e in events)
        {
            view = ConversationViewProjection.Fold(view, e);
            MessageState.Fold(messages, e.Data);
        }
        var reporter = view?.MemberOf(first.Reporter);
        if (reporter is null) return ([], []);

        await session.DeletedSinceAsync(report.ConversationId, messages, ct);

        var readable = messages.Values.Where(m => reporter.MayRead(m.Sequence)).OrderBy(m => m.Sequence).ToList();
        var reported = report.Kind == ReportKind.Message
            ? readable.Where(m => m.MessageId == report.MessageId)
            : readable.Where(m => m.Author == report.ReportedUser);
        return (reported.Select(m => m.ToView()).ToList(), readable.TakeLast(ContextSize).Select(m => m.ToView()).ToList());
    }

    private static string ListName(ReportStatus status) => status == ReportStatus.Open ? "reports-open" : "reports-resolved";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static (long Ticks, long Order) Position(string list, string after)
    {
        var parts = Paging.Position(list, after, 2);
        return long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
               && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var order)
            ? (ticks, order)
            : throw Paging.BadCursor();
    }
}
