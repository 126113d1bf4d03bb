namespace Backchannel.Projections.Audit;

/// <summary>
/// One decision about a room, its stage, its questions or a scheduled event: who acted, on whom, what, when, why,
/// and the correlation and causation ids of the command. It names anonymous askers: operators only read it.
/// </summary>
public sealed class RoomAuditEntry
{
    /// <summary>The id of the event the entry records.</summary>
    public Guid Id { get; set; }
    /// <summary>The event's global sequence: the audit's order.</summary>
    public long Sequence { get; set; }
    public string? RoomId { get; set; }
    public string? EventId { get; set; }
    public string? QuestionId { get; set; }
    /// <summary>The stored name of the event, e.g. <c>question_dismissed</c>.</summary>
    public string Action { get; set; } = "";
    public string Actor { get; set; } = "";
    /// <summary>The person the decision was about, when not the actor (promoted, moved, made co-host).</summary>
    public string? Subject { get; set; }
    public string? Reason { get; set; }
    /// <summary>What else the decision said: a role, a title, a time, whether the asker hid their name.</summary>
    public string? Detail { get; set; }
    public DateTimeOffset At { get; set; }
    public string? CorrelationId { get; set; }
    public string? CausationId { get; set; }
}
