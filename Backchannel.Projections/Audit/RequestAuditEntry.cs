namespace Backchannel.Projections.Audit;

/// <summary>
/// One decision about a message request, for operators and for the people concerned: who decided (a user, or
/// <see cref="SystemActor"/> with its rule), what, when, why, and the correlation and causation ids of the command.
/// </summary>
public sealed class RequestAuditEntry
{
    public const string SystemActor = "system";

    /// <summary>The id of the event the entry records.</summary>
    public Guid Id { get; set; }
    /// <summary>The event's global sequence: the audit's order.</summary>
    public long Sequence { get; set; }
    public string ConversationId { get; set; } = "";
    /// <summary>sent, admitted_automatically, suppressed, accepted, declined, blocked or reported.</summary>
    public string Decision { get; set; } = "";
    public string Actor { get; set; } = "";
    public string? Rule { get; set; }
    public string? Reason { get; set; }
    public string Requester { get; set; } = "";
    /// <summary>Whom the request was for; null for a message refused before it reached anyone.</summary>
    public string? Recipient { get; set; }
    public DateTimeOffset At { get; set; }
    public string? CorrelationId { get; set; }
    public string? CausationId { get; set; }

    /// <summary>
    /// Who may read the entry besides operators. The recipient sees every decision about requests to them; the
    /// requester sees only what the product shows them anyway, so a decline or a silent suppression never leaks.
    /// </summary>
    public List<string> VisibleTo { get; set; } = [];
}
