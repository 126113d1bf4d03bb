namespace Backchannel.Projections.Audit;

/// <summary>
/// One decision about a message request, for operators and for the people concerned: who decided (a user, or
/// <see cref="SystemActor"/> with its rule), what, when, why, and the correlation and causation ids of the command.
/// </summary>
public sealed class RequestAuditEntry
{
    /// <summary>The actor of a decision the system took by a rule (admitted automatically, suppressed).</summary>
    public const string SystemActor = "system";
    /// <summary>The decision recorded when a request is sent.</summary>
    public const string Sent = "sent";

    /// <summary>The id of the event the entry records.</summary>
    public Guid Id { get; set; }
    /// <summary>The event's global sequence: the audit's order.</summary>
    public long Sequence { get; set; }
    /// <summary>The conversation the request opens.</summary>
    public string ConversationId { get; set; } = "";
    /// <summary>sent, admitted_automatically, suppressed, accepted, declined, blocked or reported.</summary>
    public string Decision { get; set; } = "";
    /// <summary>Who decided: the recipient, the requester, or <c>system</c> when a rule decided.</summary>
    public string Actor { get; set; } = "";
    /// <summary>The rule the system decided by (see <c>AdmissionRules</c>), when it decided.</summary>
    public string? Rule { get; set; }
    /// <summary>The reason given with a report, if any.</summary>
    public string? Reason { get; set; }
    /// <summary>Who sent the request.</summary>
    public string Requester { get; set; } = "";
    /// <summary>Whom the request was for; null for a message refused before it reached anyone.</summary>
    public string? Recipient { get; set; }
    /// <summary>When the decision was taken.</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>The correlation id of the command that caused the decision.</summary>
    public string? CorrelationId { get; set; }
    /// <summary>The causation id of the command that caused the decision.</summary>
    public string? CausationId { get; set; }

    /// <summary>
    /// Who may read the entry besides operators. The recipient sees every decision about requests to them (except a
    /// refusal by the rate limit, which never reached them); the requester sees only what the product shows them
    /// anyway, so a decline never leaks, and a silent suppression reads to them as a request sent.
    /// </summary>
    public List<string> VisibleTo { get; set; } = [];

    /// <summary>
    /// The decision as the requester is told it, when it is not the truth: a request suppressed by a block reads to
    /// them as <c>sent</c>, in every field, exactly like a request that reached its recipient. Null otherwise, and null
    /// in every answer but an operator's.
    /// </summary>
    public string? RequesterSees { get; set; }

    /// <summary>The entry as <paramref name="viewer"/>, who is not an operator, may read it.</summary>
    public RequestAuditEntry SeenBy(string viewer)
    {
        var seen = (RequestAuditEntry)MemberwiseClone();
        seen.VisibleTo = [.. VisibleTo];
        seen.RequesterSees = null;
        if (RequesterSees is not null && viewer == Requester && viewer != Recipient)
        {
            seen.Decision = RequesterSees;
            seen.Actor = Requester;
            seen.Rule = null;
            seen.Reason = null;
        }
        return seen;
    }
}
