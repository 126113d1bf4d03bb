using Backchannel.Domain.Requests;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Backchannel.Projections.Audit;

/// <summary>Writes one <see cref="RequestAuditEntry"/> per request decision (async: the audit may lag, never lose).</summary>
public partial class RequestAuditProjection : EventProjection
{
    public const string ProjectionName = "RequestAudit";

    public RequestAuditProjection() => Name = ProjectionName;

    public RequestAuditEntry Create(IEvent<RequestSent> e) =>
        Entry(e, "sent", e.Data.From, null, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    public RequestAuditEntry Create(IEvent<RequestAdmittedAutomatically> e) =>
        Entry(e, "admitted_automatically", RequestAuditEntry.SystemActor, e.Data.Rule, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    public RequestAuditEntry Create(IEvent<RequestSuppressed> e) =>
        Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: false);

    public RequestAuditEntry Create(IEvent<RequestSuppressedByPolicy> e) =>
        Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, null, e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

    public RequestAuditEntry Create(IEvent<RequestSuppressedByRateLimit> e) =>
        Entry(e, "suppressed", RequestAuditEntry.SystemActor, e.Data.Rule, $"retry at {e.Data.RetryAt:O}", e.Data.ConversationId, e.Data.From, e.Data.To, e.Data.At, visibleToRequester: true);

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
        string conversationId, string requester, string? recipient, DateTimeOffset at, bool visibleToRequester) => new()
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
        VisibleTo = [.. new[] { recipient, visibleToRequester ? requester : null }.OfType<string>()],
    };
}
