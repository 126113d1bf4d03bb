using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// What one viewer may see of the others in a conversation. Declines and suppressions never leak: to everyone but
/// the person concerned, they look like an invitation still waiting; a pending member's read marker is hidden.
/// </summary>
internal static class ViewerRules
{
    public static string StatusSeenBy(this MemberView member, string viewer) => StatusSeenBy(member.UserId, member.Status, viewer);

    /// <summary>The status of member <paramref name="userId"/> as <paramref name="viewer"/> may see it.</summary>
    public static string StatusSeenBy(string userId, MemberStatus status, string viewer) =>
        userId == viewer
            ? status.ToString().ToLowerInvariant()
            : status switch
            {
                MemberStatus.Active => "active",
                MemberStatus.Left => "left",
                MemberStatus.Removed => "removed",
                _ => "invited",
            };

    public static string? ReadMarkerSeenBy(this MemberView member, string viewer) =>
        member.UserId == viewer || member.Status == MemberStatus.Active ? member.ReadUpToMessageId : null;

    public static bool CanBeSeenBy(this ConversationView view, string viewer) =>
        view.MemberOf(viewer) is { } member && member.CanSeeConversation();

    /// <summary>
    /// In the conversation as far as <paramref name="viewer"/> can tell: in it, or looking invited, which a decline, a
    /// block, a report or a suppression still looks like to everyone but the person concerned.
    /// </summary>
    public static bool LooksPresentTo(this MemberView member, string viewer) => member.StatusSeenBy(viewer) is "active" or "invited";

    /// <summary>Active members and those with a request waiting see the conversation; nobody else does.</summary>
    public static bool CanSeeConversation(this MemberView member) => CanSeeConversation(member.Status);

    /// <summary>Whether a member with <paramref name="status"/> sees the conversation.</summary>
    public static bool CanSeeConversation(MemberStatus status) => status is MemberStatus.Active or MemberStatus.Pending;

    /// <summary>
    /// Whether event <paramref name="e"/> of the conversation, just folded into <paramref name="view"/>, changed what
    /// <paramref name="member"/> may see of it. Only what the rules above show to the others is seen by them: a decline,
    /// a block or a report by the recipient concerned alone (to the others they are still invited), a read by everyone
    /// only once the reader is in (a pending member's marker is hidden), a mute by the one who muted. An event this
    /// list does not name is seen by nobody, so a new kind of event is hidden until it is named here. A member who may
    /// not see the conversation at all (who left, declined, was removed) sees none of it.
    /// </summary>
    public static bool SeesEvent(this MemberView member, ConversationView view, object e) => e switch
    {
        RequestDeclined d => member.UserId == d.To,
        RequesterBlocked b => member.UserId == b.To,
        RequestReported r => member.UserId == r.To,
        MessagesRead read => member.UserId == read.UserId || view.MemberOf(read.UserId)?.Status == MemberStatus.Active,
        ConversationMuted m => member.UserId == m.UserId,
        ConversationUnmuted u => member.UserId == u.UserId,
        ConversationStarted or RequestSent or RequestAdmittedAutomatically or RequestSuppressed or RequestAccepted
            or MemberLeft or MemberRemoved or MemberJoinedByRole or MemberLeftByRole or GroupRenamed
            or MessageSent or ThanksSent or MessageEdited or MessageDeleted or ReactionAdded or ReactionWithdrawn
            or Backchannel.Domain.Safety.MessageRemovedByModeration => true,
        _ => false,
    };

    /// <summary>The message as <paramref name="viewer"/> may see it in a list: only if it was sent while they were in.</summary>
    public static MessagePreview? PreviewSeenBy(this MemberView viewer, MessagePreview? preview) =>
        preview is not null && viewer.MayRead(preview.Sequence) ? preview : null;
}
