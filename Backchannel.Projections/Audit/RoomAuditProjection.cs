using Backchannel.Domain.Common;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Backchannel.Projections.Audit;

/// <summary>Writes one <see cref="RoomAuditEntry"/> per decision on a room, the stage, a question or an event (async).</summary>
internal partial class RoomAuditProjection : EventProjection
{
    public const string ProjectionName = "RoomAudit";

    public RoomAuditProjection() => Name = ProjectionName;

    public RoomAuditEntry Create(IEvent<RoomStarted> e) => Entry(e, e.Data.RoomId, e.Data.StartedBy, e.Data.At, eventId: e.Data.EventId, detail: e.Data.Title);
    public RoomAuditEntry Create(IEvent<RoomEnded> e) => Entry(e, e.Data.RoomId, e.Data.EndedBy, e.Data.At);
    public RoomAuditEntry Create(IEvent<ParticipantJoined> e) => Entry(e, e.Data.RoomId, e.Data.UserId, e.Data.At, detail: Role(e.Data.Role));
    public RoomAuditEntry Create(IEvent<ParticipantLeft> e) => Entry(e, e.Data.RoomId, e.Data.UserId, e.Data.At, detail: Role(e.Data.RoleWhenLeaving));
    public RoomAuditEntry Create(IEvent<HandRaised> e) => Entry(e, e.Data.RoomId, e.Data.UserId, e.Data.At);
    public RoomAuditEntry Create(IEvent<HandLowered> e) => Entry(e, e.Data.RoomId, e.Data.UserId, e.Data.At);

    public RoomAuditEntry Create(IEvent<PromotedToStage> e) => Entry(e, e.Data.RoomId, e.Data.PromotedBy, e.Data.At,
        subject: e.Data.UserId, questionId: e.Data.QuestionId, detail: e.Data.HadRaisedHand ? "raised_hand" : null);

    public RoomAuditEntry Create(IEvent<MovedToAudience> e) =>
        Entry(e, e.Data.RoomId, e.Data.MovedBy, e.Data.At, subject: e.Data.UserId, reason: e.Data.Reason);

    public RoomAuditEntry Create(IEvent<MadeModerator> e) => Entry(e, e.Data.RoomId, e.Data.MadeBy, e.Data.At, subject: e.Data.UserId);

    public RoomAuditEntry Create(IEvent<QuestionSuppressedByRateLimit> e) =>
        Entry(e, e.Data.RoomId, RequestAuditEntry.SystemActor, e.Data.At, subject: e.Data.UserId, detail: $"{e.Data.Rule}, retry at {e.Data.RetryAt:O}");

    public RoomAuditEntry Create(IEvent<QuestionAsked> e) => Entry(e, e.Data.RoomId, e.Data.AskedBy, e.Data.At,
        questionId: e.Data.QuestionId, detail: e.Data.Anonymous ? "anonymous" : null);

    public RoomAuditEntry Create(IEvent<QuestionApproved> e) => Entry(e, e.Data.RoomId, e.Data.ApprovedBy, e.Data.At, questionId: e.Data.QuestionId);

    public RoomAuditEntry Create(IEvent<QuestionDismissed> e) =>
        Entry(e, e.Data.RoomId, e.Data.DismissedBy, e.Data.At, questionId: e.Data.QuestionId, reason: e.Data.Reason);

    public RoomAuditEntry Create(IEvent<QuestionReopened> e) => Entry(e, e.Data.RoomId, e.Data.ReopenedBy, e.Data.At, questionId: e.Data.QuestionId);
    public RoomAuditEntry Create(IEvent<QuestionPinned> e) => Entry(e, e.Data.RoomId, e.Data.PinnedBy, e.Data.At, questionId: e.Data.QuestionId);
    public RoomAuditEntry Create(IEvent<QuestionUnpinned> e) => Entry(e, e.Data.RoomId, e.Data.UnpinnedBy, e.Data.At, questionId: e.Data.QuestionId);

    public RoomAuditEntry Create(IEvent<QuestionAnswered> e) => Entry(e, e.Data.RoomId, e.Data.AnsweredBy, e.Data.At,
        questionId: e.Data.QuestionId, detail: e.Data.Visibility.ToString().ToLowerInvariant());

    public RoomAuditEntry Create(IEvent<QuestionAnsweredLive> e) => Entry(e, e.Data.RoomId, e.Data.MarkedBy, e.Data.At, questionId: e.Data.QuestionId);

    public RoomAuditEntry Create(IEvent<QuestionTakenToStage> e) =>
        Entry(e, e.Data.RoomId, e.Data.PromotedBy, e.Data.At, subject: e.Data.AskedBy, questionId: e.Data.QuestionId);

    public RoomAuditEntry Create(IEvent<QuestionUpvoted> e) => Entry(e, e.Data.RoomId, e.Data.UserId, e.Data.At, questionId: e.Data.QuestionId);
    public RoomAuditEntry Create(IEvent<UpvoteWithdrawn> e) => Entry(e, e.Data.RoomId, e.Data.UserId, e.Data.At, questionId: e.Data.QuestionId);

    public RoomAuditEntry Create(IEvent<EventScheduled> e) => Entry(e, null, e.Data.Host, e.Data.At, eventId: e.Data.EventId,
        detail: $"{e.Data.Title} at {e.Data.StartsAt:O}");

    public RoomAuditEntry Create(IEvent<CoHostAdded> e) => Entry(e, null, e.Data.AddedBy, e.Data.At, eventId: e.Data.EventId, subject: e.Data.CoHost);
    public RoomAuditEntry Create(IEvent<CoHostRemoved> e) => Entry(e, null, e.Data.RemovedBy, e.Data.At, eventId: e.Data.EventId, subject: e.Data.CoHost);

    public RoomAuditEntry Create(IEvent<EventRescheduled> e) => Entry(e, null, e.Data.RescheduledBy, e.Data.At, eventId: e.Data.EventId,
        detail: $"{e.Data.PreviousStartsAt:O} -> {e.Data.StartsAt:O}");

    public RoomAuditEntry Create(IEvent<EventCancelled> e) =>
        Entry(e, null, e.Data.CancelledBy, e.Data.At, eventId: e.Data.EventId, reason: e.Data.Reason);

    public RoomAuditEntry Create(IEvent<EventWentLive> e) => Entry(e, e.Data.RoomId, e.Data.StartedBy, e.Data.At, eventId: e.Data.EventId);

    private static string Role(RoomRole role) => role.ToString().ToLowerInvariant();

    private static RoomAuditEntry Entry(IEvent e, string? roomId, string actor, DateTimeOffset at, string? eventId = null,
        string? questionId = null, string? subject = null, string? reason = null, string? detail = null) => new()
    {
        Id = e.Id,
        Sequence = e.Sequence,
        RoomId = roomId,
        EventId = eventId,
        QuestionId = questionId,
        Action = EventNames.All[e.EventType],
        Actor = actor,
        Subject = subject,
        Reason = reason,
        Detail = detail,
        At = at,
        CorrelationId = e.CorrelationId,
        CausationId = e.CausationId,
    };
}
