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
    /// <summary>The room decided on, when the decision is about a room.</summary>
    public string? RoomId { get; set; }
    /// <summary>The scheduled event decided on, when the decision is about one.</summary>
    public string? EventId { get; set; }
    /// <summary>The question decided on, when the decision is about one.</summary>
    public string? QuestionId { get; set; }
    /// <summary>The stored name of the event, e.g. <c>question_dismissed</c>.</summary>
    public string Action { get; set; } = "";
    /// <summary>Who acted.</summary>
    public string Actor { get; set; } = "";
    /// <summary>The person the decision was about, when not the actor (promoted, moved, made co-host).</summary>
    public string? Subject { get; set; }
    /// <summary>The reason the actor gave, if any (a dismissal, a move to the audience, a cancellation).</summary>
    public string? Reason { get; set; }
    /// <summary>What else the decision said: a role, a title, a time, whether the asker hid their name.</summary>
    public string? Detail { get; set; }
    /// <summary>When the decision was taken.</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>The correlation id of the command that caused the decision.</summary>
    public string? CorrelationId { get; set; }
    /// <summary>The causation id of the command that caused the decision.</summary>
    public string? CausationId { get; set; }
}
