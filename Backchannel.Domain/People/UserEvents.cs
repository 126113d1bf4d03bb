using Backchannel.Domain.Common;

namespace Backchannel.Domain.People;

/// <summary>An event of a user's own stream, keyed by the user's handle.</summary>
public interface IUserEvent : IStreamEvent
{
    /// <summary>The user whose stream it is.</summary>
    string UserId { get; }

    string IStreamEvent.StreamId => UserId;
}


/// <summary>Who may start a conversation with a user.</summary>
public enum MessagePolicy
{
    /// <summary>Anyone: people the user does not follow arrive as requests.</summary>
    Everyone,
    /// <summary>Only people the user follows; anyone else is refused and recorded as suppressed by policy.</summary>
    Following,
}

// Events of a user's stream (stream key: the user's handle). Each names the user first and ends with when it happened.

/// <summary>The user started following <paramref name="Followee"/>: requests from the followee are admitted automatically.</summary>
public sealed record UserFollowed(string UserId, string Followee, DateTimeOffset At) : IUserEvent;

/// <summary>The user stopped following <paramref name="Followee"/>.</summary>
public sealed record UserUnfollowed(string UserId, string Followee, DateTimeOffset At) : IUserEvent;

/// <summary>The user chose who may start conversations with them.</summary>
public sealed record MessagePolicySet(string UserId, MessagePolicy Policy, DateTimeOffset At) : IUserEvent;

/// <summary>
/// The user blocked <paramref name="Blocked"/>: neither may start a conversation with the other.
/// <paramref name="ConversationId"/> is the request it was blocked from, when it was.
/// </summary>
public sealed record UserBlocked(string UserId, string Blocked, string? ConversationId, DateTimeOffset At) : IUserEvent;

/// <summary>The user lifted a block on <paramref name="Unblocked"/>.</summary>
public sealed record UserUnblocked(string UserId, string Unblocked, DateTimeOffset At) : IUserEvent;
