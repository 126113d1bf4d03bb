using System.Collections.Immutable;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Safety;

/// <summary>
/// An operator removes what a case reports for everyone, with a reason: the reported message, or, for a reported
/// request, every message of its requester that a reporter could read. The caller must have checked that
/// <paramref name="OperatorId"/> is an operator.
/// </summary>
public sealed record RemoveReportedMessage(string ReportId, string OperatorId, string Reason)
{
    /// <summary>The shape of the input.</summary>
    public sealed class Validator : AbstractValidator<RemoveReportedMessage>
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

/// <summary>Decides and handles <see cref="RemoveReportedMessage"/>.</summary>
public static class RemoveReportedMessageHandler
{
    /// <summary>
    /// One <see cref="MessageRemovedByModeration"/> per message still to remove. A message its author deleted is removed
    /// too (the thread then says moderation removed it); one removed already is not again; when nothing is left to
    /// remove, 409 <c>nothing_to_remove</c>, and the operator dismisses the case instead.
    /// </summary>
    internal static IReadOnlyList<object> Decide(RemoveReportedMessage command, ReportCase? report, Conversation? conversation, DateTimeOffset now)
    {
        var open = ReportCases.RequireOpen(report);
        var targets = Targets(open, conversation!).Where(m => !m.RemovedByModeration).OrderBy(m => m.Sequence).ToList();
        if (targets.Count == 0)
            throw RuleViolation.Conflict("nothing_to_remove", "Every message this case reports is removed already; dismiss it instead.", "reportId");
        return targets.Select(id => (object)new MessageRemovedByModeration(open.ConversationId, id.MessageId, id.Author, open.Id, command.OperatorId, command.Reason, now)).ToList();
    }

    /// <summary>The reported message; for a request, its requester's messages that one of the reporters could read.</summary>
    private static IEnumerable<MessageState> Targets(ReportCase report, Conversation conversation)
    {
        if (report.Kind == ReportKind.Message)
            return conversation.Messages.Values.Where(m => m.MessageId == report.MessageId);
        var reporters = report.Reports.Select(r => conversation.MemberOf(r.Reporter)).OfType<Member>().ToList();
        return conversation.Messages.Values.Where(m => m.Author == report.ReportedUser && reporters.Exists(r => r.MayRead(m.Sequence)));
    }

    /// <summary>Loads the messages the case may name (for a request, the requester's) once the conversation is locked.</summary>
    public static async Task Handle(RemoveReportedMessage command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var report = await session.LoadAsync<ReportCase>(command.ReportId, ct);
        if (report is null) { Decide(command, null, null, now); return; }
        await session.DecideAsync<Conversation>(report.ConversationId,
            async conversation =>
            {
                report = await session.LoadAsync<ReportCase>(command.ReportId, ct);
                if (conversation is null || report is null) return conversation;
                if (report.Kind == ReportKind.Message) return await session.WithMessagesAsync(conversation, [report.MessageId], ct);
                var prefix = MessageState.Key(conversation.Id, "");
                var authored = await session.Query<MessageState>().Where(m => m.Id.StartsWith(prefix) && m.Author == report.ReportedUser).ToListAsync(ct);
                return conversation with { Messages = authored.ToDictionary(m => m.MessageId).ToImmutableDictionary() };
            },
            conversation => Decide(command, report, conversation, now), ct);
    }
}
