using System.Diagnostics.CodeAnalysis;
using Backchannel.Domain.Common;

namespace Backchannel.Domain.Conversations;

/// <summary>Who may touch a conversation at all. Shared by every decision on a conversation.</summary>
internal static class Access
{
    /// <summary>
    /// The actor's membership if they can see the conversation (active, or with a pending request). To anyone who
    /// never saw it, or for whom it vanished (declined, suppressed), it does not exist: 404, so nothing leaks.
    /// </summary>
    public static Member RequireVisible([NotNull] this Conversation? conversation, string userId)
    {
        var member = conversation?.MemberOf(userId);
        if (conversation is null || member is null || member.IsGone)
            throw RuleViolation.NotFound("conversation_not_found", "No such conversation.");
        if (!member.CanSee)
            throw RuleViolation.Forbidden("not_a_member", $"You are no longer a member of this conversation ({member.Status}).");
        return member;
    }

    /// <summary>The actor's membership if they are in the conversation; a pending recipient must accept first.</summary>
    public static Member RequireActive([NotNull] this Conversation? conversation, string userId)
    {
        var member = conversation.RequireVisible(userId);
        if (member.Status == MemberStatus.Pending)
            throw RuleViolation.Forbidden("request_not_accepted", "Accept the request first.");
        return member;
    }

    /// <summary>
    /// The message, if it exists in this conversation and was sent while <paramref name="userId"/> was in it or invited:
    /// to a member, a message from before they joined or from while they were away does not exist.
    /// </summary>
    public static MessageState RequireMessage(this Conversation conversation, string messageId, string userId, string field = "messageId") =>
        conversation.Messages.GetValueOrDefault(messageId) is { } message && conversation.MemberOf(userId) is { } member && member.MayRead(message.Sequence)
            ? message
            : throw RuleViolation.NotFound("message_not_found", "No such message in this conversation.", field);

    /// <summary>A message the actor wrote and has not deleted.</summary>
    public static MessageState RequireOwnLiveMessage(this Conversation conversation, string messageId, string userId)
    {
        var message = conversation.RequireMessage(messageId, userId);
        if (message.Author != userId)
            throw RuleViolation.Forbidden("not_the_author", "Only the author may change a message.", "messageId");
        if (message.Deleted)
            throw RuleViolation.Conflict("message_deleted", "The message was deleted.", "messageId");
        return message;
    }

    public static void RequireGroup(this Conversation conversation)
    {
        if (conversation.Kind != ConversationKind.Group)
            throw RuleViolation.Conflict("not_a_group", "Only a group conversation allows this.");
    }
}
