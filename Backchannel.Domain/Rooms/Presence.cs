using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Rooms;

/// <summary>Come into a live room: as a listener, or as a moderator for its starter and its event's hosts.</summary>
public sealed record JoinRoom(string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="JoinRoom"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<JoinRoom>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
    }
}

/// <summary>Leave a room; someone on the stage leaves the stage backchannel with it.</summary>
public sealed record LeaveRoom(string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="LeaveRoom"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<LeaveRoom>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
    }
}

/// <summary>End a room (a moderator): nobody joins, asks or speaks any more.</summary>
public sealed record EndRoom(string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="EndRoom"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<EndRoom>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
    }
}

/// <summary>A listener asks to speak.</summary>
public sealed record RaiseHand(string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="RaiseHand"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<RaiseHand>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
    }
}

/// <summary>A listener no longer asks to speak.</summary>
public sealed record LowerHand(string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="LowerHand"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<LowerHand>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
    }
}

/// <summary>
/// Wolverine's handler of <see cref="JoinRoom"/>, <see cref="LeaveRoom"/>, <see cref="EndRoom"/>, <see
/// cref="RaiseHand"/>, <see cref="LowerHand"/>: loads the state, runs the pure decision and appends its events. Public
/// only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead of
/// calling it.
/// </summary>
public static class PresenceHandler
{
    /// <summary>Joining a room you are in changes nothing.</summary>
    internal static IReadOnlyList<object> Decide(JoinRoom command, Room? room, Participant? participant, Conversation? stage, DateTimeOffset now)
    {
        room.RequireLive();
        if (participant is { Present: true }) return [];
        var role = room.IsHost(command.UserId) ? RoomRole.Moderator : RoomRole.Listener;
        return
        [
            new ParticipantJoined(room.Id, command.UserId, role, now),
            .. role == RoomRole.Moderator ? RoleMembership.Join(stage!, command.UserId, MembershipRoles.Stage, now) : [],
        ];
    }

    /// <summary>Leaving a room you are not in changes nothing; leaving an ended room is allowed.</summary>
    internal static IReadOnlyList<object> Decide(LeaveRoom command, Room? room, Participant? participant, Conversation? stage, DateTimeOffset now)
    {
        room.RequireRoom();
        if (participant is not { Present: true }) return [];
        return
        [
            new ParticipantLeft(room.Id, command.UserId, participant.Role, now),
            .. participant.OnStage ? RoleMembership.Leave(stage!, command.UserId, MembershipRoles.Stage, now) : [],
        ];
    }

    /// <summary>Ending an ended room changes nothing.</summary>
    internal static IReadOnlyList<object> Decide(EndRoom command, Room? room, Participant? actor, DateTimeOffset now)
    {
        room.RequireRoom();
        actor.RequireModerator();
        return room.Ended ? [] : [new RoomEnded(room.Id, command.UserId, now)];
    }

    /// <summary>Raising a raised hand changes nothing; people on the stage have nothing to ask for.</summary>
    internal static IReadOnlyList<object> Decide(RaiseHand command, Room? room, Participant? participant, DateTimeOffset now)
    {
        room.RequireLive();
        participant.RequireListener();
        return participant.HandRaisedAt is null ? [new HandRaised(room.Id, command.UserId, now)] : [];
    }

    internal static IReadOnlyList<object> Decide(LowerHand command, Room? room, Participant? participant, DateTimeOffset now)
    {
        room.RequireRoom();
        return participant is { HandRaisedAt: not null } ? [new HandLowered(room.Id, command.UserId, now)] : [];
    }

    /// <summary>
    /// Decides <see cref="JoinRoom"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(JoinRoom command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        var participant = await streams.LockAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), ct);
        // Only hosts join the stage on arrival: everyone else's join never waits on the stage conversation's lock.
        var stage = room is not null && room.IsHost(command.UserId) ? await streams.LockAsync<Conversation>(room.StageConversationId, ct) : null;
        streams.Append(Decide(command, room, participant, stage, clock.GetUtcNow()));
    }

    /// <summary>
    /// Decides <see cref="LeaveRoom"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(LeaveRoom command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        var participant = await streams.LockAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), ct);
        var stage = room is not null && participant is { OnStage: true } ? await streams.LockAsync<Conversation>(room.StageConversationId, ct) : null;
        streams.Append(Decide(command, room, participant, stage, clock.GetUtcNow()));
    }

    /// <summary>
    /// Decides <see cref="EndRoom"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(EndRoom command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var room = await streams.LockAsync<Room>(command.RoomId, ct);
        var actor = await session.LoadAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), ct);
        streams.Append(Decide(command, room, actor, clock.GetUtcNow()));
    }

    /// <summary>
    /// Decides <see cref="RaiseHand"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static async Task Handle(RaiseHand command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct)
    {
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        await pipeline.DecideAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), p => Decide(command, room, p, clock.GetUtcNow()), context, ct);
    }

    /// <summary>
    /// Decides <see cref="LowerHand"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static async Task Handle(LowerHand command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct)
    {
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        await pipeline.DecideAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), p => Decide(command, room, p, clock.GetUtcNow()), context, ct);
    }
}

/// <summary>Input rules shared by the commands of rooms, the stage and questions.</summary>
internal static class RoomCommands
{
    public static void RequireIds<T>(AbstractValidator<T> validator, System.Linq.Expressions.Expression<Func<T, string>> roomId,
        System.Linq.Expressions.Expression<Func<T, string>> userId)
    {
        validator.RuleFor(roomId).MustBeId();
        validator.RuleFor(userId).MustBeHandle();
    }
}
