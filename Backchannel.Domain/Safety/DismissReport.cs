using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Safety;

/// <summary>
/// An operator dismisses the open reports of a case, with a reason. The caller must have checked that
/// <paramref name="OperatorId"/> is an operator (the host does, from the token's role).
/// </summary>
public sealed record DismissReport(string ReportId, string OperatorId, string Reason)
{
    /// <summary>The shape of the input.</summary>
    public sealed class Validator : AbstractValidator<DismissReport>
    {
        /// <summary>The rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ReportId).MustBeId();
            RuleFor(x => x.OperatorId).MustBeHandle();
            RuleFor(x => x.Reason).MustBeText(Rules.MaxReasonLength);
        }
    }
}

/// <summary>Decides and handles <see cref="DismissReport"/>.</summary>
public static class DismissReportHandler
{
    /// <summary>Only an open case can be dismissed: dismissing a decided one is a conflict, not a second decision.</summary>
    internal static IReadOnlyList<object> Decide(DismissReport command, ReportCase? report, DateTimeOffset now)
    {
        var open = ReportCases.RequireOpen(report);
        return [new ReportDismissed(open.ConversationId, open.Id, open.ReportedUser, command.OperatorId, command.Reason, now)];
    }

    /// <summary>Decides under the reported conversation's lock, which every change to the case takes.</summary>
    public static Task Handle(DismissReport command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideOnReportAsync(command.ReportId, (report, _) => Decide(command, report, clock.GetUtcNow()), ct);
}

/// <summary>What decisions on report cases share.</summary>
public static class ReportCases
{
    /// <summary>The case, if it exists and waits for a decision: 404 <c>report_not_found</c>, 409 <c>report_resolved</c>.</summary>
    public static ReportCase RequireOpen(ReportCase? report)
    {
        if (report is null) throw RuleViolation.NotFound("report_not_found", "No such report.", "reportId");
        if (report.Status != ReportStatus.Open)
            throw RuleViolation.Conflict("report_resolved", "An operator has already decided every report of this case.", "reportId");
        return report;
    }

    /// <summary>
    /// Locks the case's conversation, reads the case and the conversation afresh under the lock, decides, and appends
    /// to the conversation's stream.
    /// </summary>
    public static async Task<IReadOnlyList<object>> DecideOnReportAsync(this IDocumentSession session, string reportId,
        Func<ReportCase?, Conversation?, IReadOnlyList<object>> decide, CancellationToken ct)
    {
        var found = await session.LoadAsync<ReportCase>(reportId, ct);
        if (found is null) return decide(null, null);
        ReportCase? report = null;
        return await session.DecideAsync<Conversation>(found.ConversationId,
            async conversation =>
            {
                report = await session.LoadAsync<ReportCase>(reportId, ct);
                return conversation;
            },
            conversation => decide(report, conversation), ct);
    }
}
