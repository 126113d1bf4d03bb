using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Privacy;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Safety;

namespace Backchannel.Domain.Common;

/// <summary>
/// The name each event is stored under. Pinned here, never derived from the CLR name, so that renaming or moving
/// a type cannot orphan stored events. Never change a name once events are stored under it.
/// </summary>
public static class EventNames
{
    /// <summary>Every event type with the name it is stored under.</summary>
    public static readonly IReadOnlyDictionary<Type, string> All = new Dictionary<Type, string>
    {
        [typeof(UserFollowed)] = "user_followed",
        [typeof(UserUnfollowed)] = "user_unfollowed",
        [typeof(MessagePolicySet)] = "message_policy_set",
        [typeof(UserBlocked)] = "user_blocked",
        [typeof(UserUnblocked)] = "user_unblocked",

        [typeof(ConversationStarted)] = "conversation_started",
        [typeof(MessageSent)] = "message_sent",
        [typeof(MessageEdited)] = "message_edited",
        [typeof(MessageDeleted)] = "message_deleted",
        [typeof(ReactionAdded)] = "reaction_added",
        [typeof(ReactionWithdrawn)] = "reaction_withdrawn",
        [typeof(MessagesRead)] = "messages_read",
        [typeof(ConversationMuted)] = "conversation_muted",
        [typeof(ConversationUnmuted)] = "conversation_unmuted",
        [typeof(MemberLeft)] = "member_left",
        [typeof(GroupRenamed)] = "group_renamed",
        [typeof(MemberRemoved)] = "member_removed",
        [typeof(MessageReported)] = "message_reported",
        [typeof(MemberJoinedByRole)] = "member_joined_by_role",
        [typeof(MemberLeftByRole)] = "member_left_by_role",
        [typeof(ThanksSent)] = "thanks_sent",
        [typeof(PendingMessagesCapped)] = "pending_messages_capped",

        [typeof(RequestSent)] = "request_sent",
        [typeof(RequestAdmittedAutomatically)] = "request_admitted_automatically",
        [typeof(RequestSuppressed)] = "request_suppressed",
        [typeof(RequestSuppressedByPolicy)] = "request_suppressed_by_policy",
        [typeof(RequestAccepted)] = "request_accepted",
        [typeof(RequestDeclined)] = "request_declined",
        [typeof(RequesterBlocked)] = "requester_blocked",
        [typeof(RequestReported)] = "request_reported",
        [typeof(RequestSuppressedByRateLimit)] = "request_suppressed_by_rate_limit",
        [typeof(PendingMessageSuppressedByRateLimit)] = "pending_message_suppressed_by_rate_limit",

        [typeof(RoomStarted)] = "room_started",
        [typeof(RoomEnded)] = "room_ended",
        [typeof(ParticipantJoined)] = "participant_joined",
        [typeof(ParticipantLeft)] = "participant_left",
        [typeof(HandRaised)] = "hand_raised",
        [typeof(HandLowered)] = "hand_lowered",
        [typeof(PromotedToStage)] = "promoted_to_stage",
        [typeof(MovedToAudience)] = "moved_to_audience",
        [typeof(MadeModerator)] = "made_moderator",
        [typeof(QuestionSuppressedByRateLimit)] = "question_suppressed_by_rate_limit",

        [typeof(QuestionAsked)] = "question_asked",
        [typeof(QuestionApproved)] = "question_approved",
        [typeof(QuestionDismissed)] = "question_dismissed",
        [typeof(QuestionReopened)] = "question_reopened",
        [typeof(QuestionPinned)] = "question_pinned",
        [typeof(QuestionUnpinned)] = "question_unpinned",
        [typeof(QuestionAnswered)] = "question_answered",
        [typeof(QuestionAnsweredLive)] = "question_answered_live",
        [typeof(QuestionTakenToStage)] = "question_taken_to_stage",
        [typeof(QuestionUpvoted)] = "question_upvoted",
        [typeof(UpvoteWithdrawn)] = "upvote_withdrawn",

        [typeof(EventScheduled)] = "event_scheduled",
        [typeof(CoHostAdded)] = "co_host_added",
        [typeof(CoHostRemoved)] = "co_host_removed",
        [typeof(EventRescheduled)] = "event_rescheduled",
        [typeof(EventCancelled)] = "event_cancelled",
        [typeof(EventWentLive)] = "event_went_live",

        [typeof(ErasureRequested)] = "erasure_requested",
        [typeof(UserErased)] = "user_erased",
        [typeof(ReportDismissed)] = "report_dismissed",
        [typeof(MessageRemovedByModeration)] = "message_removed_by_moderation",
        [typeof(UserSuspended)] = "user_suspended",
        [typeof(SuspensionLifted)] = "suspension_lifted",
    };
}
