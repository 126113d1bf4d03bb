namespace Backchannel.Domain.Conversations;

/// <summary>
/// Keeps a stage or planning conversation's members in step with a role: someone who gains the role joins, someone
/// who loses it leaves, with no request step. Asking for the state it already has changes nothing.
/// </summary>
internal static class RoleMembership
{
    public static IReadOnlyList<object> Join(Conversation conversation, string userId, string role, DateTimeOffset now) =>
        conversation.MemberOf(userId) is { Status: MemberStatus.Active } ? [] : [new MemberJoinedByRole(conversation.Id, userId, role, now)];

    public static IReadOnlyList<object> Leave(Conversation conversation, string userId, string role, DateTimeOffset now) =>
        conversation.MemberOf(userId) is { Status: MemberStatus.Active } ? [new MemberLeftByRole(conversation.Id, userId, role, now)] : [];

}
