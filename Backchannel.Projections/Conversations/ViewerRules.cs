using Backchannel.Domain.Conversations;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// What one viewer may see of the others in a conversation. Declines and suppressions never leak: to everyone but
/// the person concerned, they look like an invitation still waiting; a pending member's read marker is hidden.
/// </summary>
public static class ViewerRules
{
    public static string StatusSeenBy(this MemberView member, string viewer) =>
        member.UserId == viewer
            ? member.Status.ToString().ToLowerInvariant()
            : member.Status switch
            {
                MemberStatus.Active => "active",
                MemberStatus.Left => "left",
                MemberStatus.Removed => "removed",
                _ => "invited",
            };

    public static string? ReadMarkerSeenBy(this MemberView member, string viewer) =>
        member.UserId == viewer || member.Status == MemberStatus.Active ? member.ReadUpToMessageId : null;

    public static bool CanBeSeenBy(this ConversationView view, string viewer) =>
        view.MemberOf(viewer) is { Status: MemberStatus.Active or MemberStatus.Pending };
}
