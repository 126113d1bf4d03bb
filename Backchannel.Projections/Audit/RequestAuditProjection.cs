using Backchannel.Domain.Requests;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Backchannel.Projections.Audit;

/// <summary>Writes one <see cref="RequestAuditEntry"/> per request decision (async: the audit may lag, never lose).</summary>
internal partial class RequestAuditProjection : EventProjection
{
    public const string ProjectionName = "RequestAudit";

    public RequestAuditProjection() => Name = ProjectionName;

    public RequestAuditEntry Create(IEvent<RequestSent> e) =>
        Entry(e, RequestAuditEntry.Sent, e.Data.From, null, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    public RequestAuditEntry Create(IEvent<RequestAdmittedAutomatically> e) =>
        Entry(e, "admitted_automatically", RequestAuditEntry.SystemActor, e.Data.Rule, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    /// <summary>
    /// The truth (suppressed) for the recipient and operators; to the requester exactly what a request sent shows, since
    /// they must not tell a block from a request waiting (<see cref="RequestAuditEntry.RequesterSees"/>).
    /// </summary>
    public RequestAuditEntry Create(IEvent<RequestSuppressed> e)
    {
        var entry = Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);
        entry.RequesterSees = RequestAuditEntry.Sent;
        return entry;
    }

    public RequestAuditEntry Create(IEvent<RequestSuppressedByPolicy> e) =>
        Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    /// <summary>A refused request reached nobody: it concerns the requester (and operators) alone, not whom it named.</summary>
    public RequestAuditEntry Create(IEvent<RequestSuppressedByRateLimit> e) =>
        Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, $"retry at {e.Data.RetryAt:O}", e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true, visibleToRecipient: false);

    /// <summary>A message refused before it reached anyone: it concerns the requester alone.</summary>
    public RequestAuditEntry Create(IEvent<PendingMessageSuppressedByRateLimit> e) =>
        Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, $"retry at {e.Data.RetryAt:O}", e.Data.ConversationId, e.Data.From, null, e.Data.At, visibleToRequester: true);

    public RequestAuditEntry Create(IEvent<RequestAccepted> e) =>
        Entry(e, "accepted", e.Data.To, null, e.Data.ByReplying ? "replied" : null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    public RequestAuditEntry Create(IEvent<RequestDeclined> e) =>
        Entry(e, "declined", e.Data.To, null, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: false);

    public RequestAuditEntry Create(IEvent<RequesterBlocked> e) =>
        Entry(e, "blocked", e.Data.To, null, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: false);

    public RequestAuditEntry Create(IEvent<RequestReported> e) =>
        Entry(e, "reported", e.Data.To, null, e.Data.Reason, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: false);

    private static RequestAuditEntry Entry(IEvent e, string decision, string actor, string? rule, string? reason,
        string conversationId, string requester, string? recipient, DateTimeOffset at, bool visibleToRequester, bool visibleToRecipient = true) => new()
    {
        Id = e.Id,
        Sequence = e.Sequence,
        ConversationId = conversationId,
        Decision = decision,
        Actor = actor,
        Rule = rule,
        Reason = reason,
        Requester = requester,
        Recipient = recipient,
        At = at,
        CorrelationId = e.CorrelationId,
        CausationId = e.CausationId,
        VisibleTo = [.. new[] { visibleToRecipient ? recipient : null, visibleToRequester ? requester : null }.OfType<string>()],
    };
}
