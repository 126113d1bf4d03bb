using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;

namespace Backchannel.Domain.Common;

/// <summary>
/// The name each event is stored under. Pinned here, never derived from the CLR name, so that renaming or moving
/// a type cannot orphan stored events. Never change a name once events are stored under it.
/// </summary>
public static class EventNames
{
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

        [typeof(RequestSent)] = "request_sent",
        [typeof(RequestAdmittedAutomatically)] = "request_admitted_automatically",
        [typeof(RequestSuppressed)] = "request_suppressed",
        [typeof(RequestSuppressedByPolicy)] = "request_suppressed_by_policy",
        [typeof(RequestAccepted)] = "request_accepted",
        [typeof(RequestDeclined)] = "request_declined",
        [typeof(RequesterBlocked)] = "requester_blocked",
        [typeof(RequestReported)] = "request_reported",
    };
}
