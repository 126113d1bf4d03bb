using System.Diagnostics.CodeAnalysis;
using Backchannel.Domain.Common;

namespace Backchannel.Domain.Rooms;

/// <summary>A room's life, as decisions need it (an inline snapshot of the room's stream).</summary>
public sealed record Room(
    string Id,
    string Title,
    string StartedBy,
    string? EventId,
    string StageConversationId,
    IReadOnlyList<string> Hosts,
    bool Ended)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>Who comes into the room as a moderator: its starter and the hosts of its event.</summary>
    public bool IsHost(string userId) => StartedBy == userId || Hosts.Contains(userId);

    /// <summary>Starts this state from <see cref="RoomStarted"/> (Marten calls it to keep the snapshot).</summary>
    public static Room Create(RoomStarted e) => new(e.RoomId, e.Title, e.StartedBy, e.EventId, e.StageConversationId, e.Hosts, false);

    /// <summary>Folds <see cref="RoomEnded"/> (Marten calls it to keep the snapshot).</summary>
    public Room Apply(RoomEnded _) => this with { Ended = true };
}

/// <summary>One person in one room: present or not, their role, their raised hand (an inline snapshot).</summary>
public sealed record Participant(
    string Id,
    string RoomId,
    string UserId,
    RoomRole Role,
    bool Present,
    DateTimeOffset JoinedAt,
    DateTimeOffset? HandRaisedAt)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>Present and on the stage: a speaker or a moderator.</summary>
    public bool OnStage => Present && Role is RoomRole.Speaker or RoomRole.Moderator;

    /// <summary>Present in the audience.</summary>
    public bool IsListening => Present && Role == RoomRole.Listener;

    /// <summary>Present as a moderator.</summary>
    public bool IsModerating => Present && Role == RoomRole.Moderator;

    /// <summary>Starts this state from <see cref="ParticipantJoined"/> (Marten calls it to keep the snapshot).</summary>
    public static Participant Create(ParticipantJoined e) =>
        new(RoomStreams.ParticipantId(e.RoomId, e.UserId), e.RoomId, e.UserId, e.Role, true, e.At, null);

    /// <summary>Folds <see cref="ParticipantJoined"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(ParticipantJoined e) => this with { Role = e.Role, Present = true, JoinedAt = e.At, HandRaisedAt = null };
    /// <summary>Folds <see cref="ParticipantLeft"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(ParticipantLeft _) => this with { Role = RoomRole.Listener, Present = false, HandRaisedAt = null };
    /// <summary>Folds <see cref="HandRaised"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(HandRaised e) => this with { HandRaisedAt = e.At };
    /// <summary>Folds <see cref="HandLowered"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(HandLowered _) => this with { HandRaisedAt = null };
    /// <summary>Folds <see cref="PromotedToStage"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(PromotedToStage _) => this with { Role = RoomRole.Speaker, HandRaisedAt = null };
    /// <summary>Folds <see cref="MovedToAudience"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(MovedToAudience _) => this with { Role = RoomRole.Listener };
    /// <summary>Folds <see cref="MadeModerator"/> (Marten calls it to keep the snapshot).</summary>
    public Participant Apply(MadeModerator _) => this with { Role = RoomRole.Moderator };
}

/// <summary>The stream keys of a room's parts (each event declares its own: <see cref="IRoomEvent"/>).</summary>
internal static class RoomStreams
{
    /// <summary>One stream per person per room; '/' cannot occur in an id (see <see cref="Rules.MustBeId{T}"/>).</summary>
    public static string ParticipantId(string roomId, string userId) => $"{roomId}/{userId}";
}

/// <summary>Who may do what in a room. Shared by the decisions on rooms, the stage and questions.</summary>
internal static class RoomAccess
{
    /// <summary>There is no such room (404): also what a view of a room answers then.</summary>
    public static RuleViolation NoSuchRoom() => RuleViolation.NotFound("room_not_found", "No such room.");

    /// <summary>The actor is not in the room (403).</summary>
    public static RuleViolation NotInRoom() => RuleViolation.Forbidden("not_in_room", "Join the room first.");

    /// <summary>The actor is in the room but not on its stage (403).</summary>
    public static RuleViolation StageOnly() => RuleViolation.Forbidden("stage_only", "Only the room's speakers and moderators may do this.");

    public static Room RequireRoom([NotNull] this Room? room) => room ?? throw NoSuchRoom();

    /// <summary>The room, if it has not ended.</summary>
    public static Room RequireLive([NotNull] this Room? room)
    {
        room.RequireRoom();
        return room.Ended ? throw RuleViolation.Conflict("room_ended", "The room has ended.") : room;
    }

    public static Participant RequirePresent([NotNull] this Participant? participant) =>
        participant is { Present: true } ? participant : throw NotInRoom();

    public static Participant RequireModerator([NotNull] this Participant? participant) =>
        participant.RequirePresent().Role == RoomRole.Moderator
            ? participant
            : throw RuleViolation.Forbidden("moderators_only", "Only the room's moderators may do this.");

    /// <summary>Moderators and speakers screen the audience's questions.</summary>
    public static Participant RequireOnStage([NotNull] this Participant? participant) =>
        participant.RequirePresent().OnStage ? participant : throw StageOnly();

    public static Participant RequireListener([NotNull] this Participant? participant) =>
        participant.RequirePresent().IsListening
            ? participant
            : throw RuleViolation.Forbidden("listeners_only", "Only listeners may do this; you are on the stage.");
}
