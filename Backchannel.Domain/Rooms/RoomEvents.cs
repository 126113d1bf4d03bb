using Backchannel.Domain.Common;

namespace Backchannel.Domain.Rooms;

/// <summary>
/// An event of one of a room's streams; each names its room. Of the room's own stream (keyed by the room's id) unless a
/// narrower kind says otherwise: a participant's (<see cref="IParticipantEvent"/>), a question's or an upvote's.
/// </summary>
public interface IRoomEvent : IStreamEvent
{
    /// <summary>The room the event happened in.</summary>
    string RoomId { get; }

    string IStreamEvent.StreamId => RoomId;
}

/// <summary>An event of one person in one room, on their participant stream (<see cref="RoomStreams.ParticipantId"/>).</summary>
public interface IParticipantEvent : IRoomEvent
{
    /// <summary>The participant whose stream it is.</summary>
    string UserId { get; }

    string IStreamEvent.StreamId => RoomStreams.ParticipantId(RoomId, UserId);
}


/// <summary>A person's role in a room. Speakers and moderators are on the stage.</summary>
public enum RoomRole
{
    /// <summary>In the audience: may listen, raise a hand and ask questions.</summary>
    Listener,
    /// <summary>On the stage: may speak and screen questions.</summary>
    Speaker,
    /// <summary>On the stage and in charge: may also move people between stage and audience.</summary>
    Moderator,
}

// Events of a room's own stream (stream key: the room id): the room's life. Kept small on purpose: presence and
// roles live on one stream per participant, so thousands of listeners joining never queue on this one.

/// <summary>
/// <paramref name="StartedBy"/> opened a room, optionally from a scheduled event whose <paramref name="Hosts"/> are its
/// moderators whenever they are in it; the stage backchannel is conversation <paramref name="StageConversationId"/>.
/// </summary>
public sealed record RoomStarted(
    string RoomId, string Title, string StartedBy, string? EventId, string StageConversationId,
    IReadOnlyList<string> Hosts, DateTimeOffset At) : IRoomEvent;

/// <summary>A moderator ended the room: nobody joins, asks or speaks any more.</summary>
public sealed record RoomEnded(string RoomId, string EndedBy, DateTimeOffset At) : IRoomEvent;

// Events of a participant's stream (stream key: RoomStreams.ParticipantId(room, user)): one person in one room.

/// <summary><paramref name="UserId"/> came into the room with <paramref name="Role"/> (hosts come back as moderators).</summary>
public sealed record ParticipantJoined(string RoomId, string UserId, RoomRole Role, DateTimeOffset At) : IParticipantEvent;

/// <summary><paramref name="UserId"/> left the room; whoever comes back starts as a listener (hosts as moderators).</summary>
public sealed record ParticipantLeft(string RoomId, string UserId, RoomRole RoleWhenLeaving, DateTimeOffset At) : IParticipantEvent;

/// <summary>A listener raised their hand to ask to speak.</summary>
public sealed record HandRaised(string RoomId, string UserId, DateTimeOffset At) : IParticipantEvent;

/// <summary>A listener lowered their hand.</summary>
public sealed record HandLowered(string RoomId, string UserId, DateTimeOffset At) : IParticipantEvent;

/// <summary>
/// A moderator brought a listener onto the stage, optionally because of their question or their raised hand (which
/// the promotion lowers).
/// </summary>
public sealed record PromotedToStage(
    string RoomId, string UserId, string PromotedBy, string? QuestionId, bool HadRaisedHand, DateTimeOffset At) : IParticipantEvent;

/// <summary>A speaker went back to the audience: moved by a moderator, or stepping down themselves.</summary>
public sealed record MovedToAudience(string RoomId, string UserId, string MovedBy, string? Reason, DateTimeOffset At) : IParticipantEvent;

/// <summary>A moderator made a speaker a moderator too.</summary>
public sealed record MadeModerator(string RoomId, string UserId, string MadeBy, DateTimeOffset At) : IParticipantEvent;

/// <summary>A listener asked faster than the rate limit allows: the question was refused (429) and not asked.</summary>
public sealed record QuestionSuppressedByRateLimit(string RoomId, string UserId, string Rule, DateTimeOffset RetryAt, DateTimeOffset At) : IParticipantEvent;

/// <summary>The free text of a room's events and who wrote it: what an erasure masks (<see cref="Privacy.ProtectedInformation"/>).</summary>
public static class RoomProtectedText
{
    /// <summary>A room's title, a moderator's reason for moving someone to the audience.</summary>
    public static readonly IReadOnlyList<Privacy.ProtectedText> Rules =
    [
        Privacy.ProtectedText.Of<RoomStarted>(e => e.StartedBy, e => e with { Title = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<MovedToAudience>(e => e.MovedBy, e => e with { Reason = null }, about: e => e.UserId),
    ];
}
