using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Backchannel.Domain.Safety;

/// <summary>What a report case is about: a request (its requester's messages), or one message.</summary>
public enum ReportKind
{
    /// <summary>A recipient declined a request and reported it.</summary>
    Request,
    /// <summary>A member reported a message.</summary>
    Message,
}

/// <summary>Whether a case waits for an operator.</summary>
public enum ReportStatus
{
    /// <summary>At least one report of it has not been decided.</summary>
    Open,
    /// <summary>Every report of it was dismissed or acted on.</summary>
    Resolved,
}

/// <summary>
/// The ids of report cases. Every report of one request (one requester in one conversation) or of one message is one
/// case, so an operator decides them together. The id is derived from what was reported, never chosen by a client:
/// a hash, so that no pair of ids a client chooses can be made to name another case.
/// </summary>
public static class ReportIds
{
    /// <summary>The case of the request <paramref name="requester"/> sent in <paramref name="conversationId"/>.</summary>
    public static string ForRequest(string conversationId, string requester) => Of("request", conversationId, requester);

    /// <summary>The case of message <paramref name="messageId"/> of <paramref name="conversationId"/>.</summary>
    public static string ForMessage(string conversationId, string messageId) => Of("message", conversationId, messageId);

    /// <summary>A number drawn from the id, to order cases reported at the same instant in a fixed way.</summary>
    public static long OrderOf(string reportId) =>
        long.Parse(reportId.AsSpan(4, 16), System.Globalization.NumberStyles.HexNumber) & long.MaxValue;

    // Ids hold no NUL (Rules.MustBeId), so the joined parts cannot be read two ways.
    private static string Of(string kind, string conversationId, string target) =>
        "rpt-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{kind}\0{conversationId}\0{target}"))[..16]);
}

/// <summary>One report in a case: who reported, why, when, and the version of the conversation they saw then.</summary>
/// <param name="Reporter">Who reported.</param>
/// <param name="Reason">Why, in their words, if they said.</param>
/// <param name="At">When.</param>
/// <param name="Version">The conversation stream's version at the report: what the reporter could read is folded up to it.</param>
/// <param name="Open">Not yet decided by an operator.</param>
public sealed record FiledReport(string Reporter, string? Reason, DateTimeOffset At, long Version, bool Open);

/// <summary>An operator's decision on a case: <c>dismissed</c> or <c>removed</c>, by whom, why, when.</summary>
public sealed record ReportDecision(string Action, string Operator, string Reason, DateTimeOffset At);

/// <summary>
/// One report case, kept inline by <see cref="ReportCaseProjection"/>: the decisions on it read it, and so does the
/// operators' queue. Every event that changes it is appended under its conversation's stream lock, so it is never
/// written by two transactions at once.
/// </summary>
public sealed record ReportCase(
    string Id,
    ReportKind Kind,
    string ConversationId,
    string? MessageId,
    string ReportedUser,
    ImmutableList<FiledReport> Reports,
    ImmutableList<ReportDecision> Decisions)
{
    /// <summary>Open while a report of it waits; reopened by a new report after a decision.</summary>
    public ReportStatus Status { get; init; }

    /// <summary>When the case last became open: the queue's order, oldest first.</summary>
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary><see cref="QueuedAt"/> in ticks, for the queue's cursor.</summary>
    public long QueuedTicks { get; init; }

    /// <summary>When it was last resolved; null while it never was.</summary>
    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary><see cref="ResolvedAt"/> in ticks (0 while never resolved), for the queue's cursor.</summary>
    public long ResolvedTicks { get; init; }

    /// <summary><see cref="ReportIds.OrderOf"/> the id: breaks ties of time in the queue's order.</summary>
    public long Order { get; init; }

    /// <summary>The messages moderation removed in this case.</summary>
    public ImmutableList<string> RemovedMessages { get; init; } = [];

    /// <summary>How many of its reports are open.</summary>
    public int OpenReports { get; init; }

    /// <summary>A recipient reported the request: a case of its own per requester and conversation.</summary>
    public static ReportCase Create(IEvent<RequestReported> e) =>
        New(ReportIds.ForRequest(e.Data.ConversationId, e.Data.From), ReportKind.Request, e.Data.ConversationId, null, e.Data.From)
            .Filed(new FiledReport(e.Data.To, e.Data.Reason, e.Data.At, e.Version, Open: true));

    /// <summary>A member reported a message: a case of its own per message.</summary>
    public static ReportCase Create(IEvent<MessageReported> e) =>
        New(ReportIds.ForMessage(e.Data.ConversationId, e.Data.MessageId), ReportKind.Message, e.Data.ConversationId, e.Data.MessageId, e.Data.Author)
            .Filed(new FiledReport(e.Data.ReportedBy, e.Data.Reason, e.Data.At, e.Version, Open: true));

    /// <summary>Another recipient of the same request reported it.</summary>
    public ReportCase Apply(IEvent<RequestReported> e) => Filed(new FiledReport(e.Data.To, e.Data.Reason, e.Data.At, e.Version, Open: true));

    /// <summary>Another member reported the same message.</summary>
    public ReportCase Apply(IEvent<MessageReported> e) => Filed(new FiledReport(e.Data.ReportedBy, e.Data.Reason, e.Data.At, e.Version, Open: true));

    /// <summary>An operator dismissed the open reports.</summary>
    public ReportCase Apply(ReportDismissed e) => Resolved(new ReportDecision("dismissed", e.DismissedBy, e.Reason, e.At));

    /// <summary>A removal of several messages in one case is one decision, recorded once.</summary>
    public ReportCase Apply(MessageRemovedByModeration e)
    {
        var decided = Status == ReportStatus.Open ? Resolved(new ReportDecision("removed", e.RemovedBy, e.Reason, e.At)) : this;
        return decided with { RemovedMessages = decided.RemovedMessages.Add(e.MessageId) };
    }

    private static ReportCase New(string id, ReportKind kind, string conversationId, string? messageId, string reportedUser) =>
        new(id, kind, conversationId, messageId, reportedUser, [], []) { Status = ReportStatus.Resolved, Order = ReportIds.OrderOf(id) };

    private ReportCase Filed(FiledReport report) => this with
    {
        Reports = Reports.Add(report),
        Status = ReportStatus.Open,
        QueuedAt = Status == ReportStatus.Open ? QueuedAt : report.At,
        QueuedTicks = Status == ReportStatus.Open ? QueuedTicks : report.At.UtcTicks,
        OpenReports = OpenReports + 1,
    };

    private ReportCase Resolved(ReportDecision decision) => this with
    {
        Reports = Reports.Select(r => r with { Open = false }).ToImmutableList(),
        Decisions = Decisions.Add(decision),
        Status = ReportStatus.Resolved,
        ResolvedAt = decision.At,
        ResolvedTicks = decision.At.UtcTicks,
        OpenReports = 0,
    };
}

/// <summary>Keeps one <see cref="ReportCase"/> per reported request or message (inline), folded by its own Create and Apply.</summary>
internal sealed class ReportCaseProjection : MultiStreamProjection<ReportCase, string>
{
    public ReportCaseProjection()
    {
        Identity<RequestReported>(e => ReportIds.ForRequest(e.ConversationId, e.From));
        Identity<MessageReported>(e => ReportIds.ForMessage(e.ConversationId, e.MessageId));
        Identity<ReportDismissed>(e => e.ReportId);
        Identity<MessageRemovedByModeration>(e => e.ReportId);
    }
}
