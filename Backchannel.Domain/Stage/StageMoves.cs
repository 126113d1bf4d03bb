using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Stage;

/// <summary>
/// A moderator brings a listener onto the stage, optionally from their question (marked as taken to the stage) or
/// their raised hand (lowered by it). They join the stage backchannel.
/// </summary>
public sealed record PromoteToStage(string RoomId, string ModeratorId, string UserId, string? QuestionId)
{
    /// <summary>
    /// The input rules of <see cref="PromoteToStage"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<PromoteToStage>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.ModeratorId);
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.QuestionId!).MustBeId().When(x => x.QuestionId is not null);
        }
    }
}

/// <summary>
/// A moderator moves a speaker back to the audience, or a speaker steps down themselves. They leave the stage
/// backchannel. Moderators stay moderators: they step down by leaving the room.
/// </summary>
public sealed record MoveToAudience(string RoomId, string ModeratorId, string UserId, string? Reason)
{
    /// <summary>
    /// The input rules of <see cref="MoveToAudience"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<MoveToAudience>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.ModeratorId);
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Reason).MustBeReason();
        }
    }
}

/// <summary>A moderator makes a speaker a moderator too.</summary>
public sealed record MakeModerator(string RoomId, string ModeratorId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="MakeModerator"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<MakeModerator>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.ModeratorId);
            RuleFor(x => x.UserId).MustBeHandle();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="PromoteToStage"/>, <see cref="MoveToAudience"/>, <see cref="MakeModerator"/>:
/// loads the state, runs the pure decision and appends its events. Public only because Wolverine discovers public
/// handler types; send the commands through <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class StageMovesHandler
{
    /// <summary>
    /// Promoting someone already on the stage changes nothing. An anonymous question is never a reason for a promotion:
    /// taking its asker to the stage would name them, and answering "asked by someone else" for everyone else would
    /// name them too. So the question is judged before the person, and the refusal is the same whoever is named.
    /// </summary>
    internal static IReadOnlyList<object> Decide(PromoteToStage command, Room? room, Participant? moderator, Participant? target,
        Question? question, Conversation stage, DateTimeOffset now)
    {
        room.RequireLive();
        moderator.RequireModerator();
        if (command.QuestionId is not null && question.RequireIn(room.Id).Anonymous)
            throw RuleViolation.Conflict("question_anonymous",
                "An anonymous question hides its asker: promote people from their named questions or their raised hands.", "questionId");
        target = RequireInRoom(target);
        if (target.OnStage) return [];
        if (command.QuestionId is not null && question!.AskedBy != command.UserId)
            throw RuleViolation.Conflict("question_not_by_user", "That question was asked by someone else.", "questionId");
        return
        [
            new PromotedToStage(room.Id, command.UserId, command.ModeratorId, command.QuestionId, target.HandRaisedAt is not null, now),
            .. command.QuestionId is null ? [] : new object[] { new QuestionTakenToStage(command.QuestionId, room.Id, command.UserId, command.ModeratorId, now) },
            .. RoleMembership.Join(stage, command.UserId, MembershipRoles.Stage, now),
        ];
    }

    /// <summary>Moving a listener to the audience changes nothing.</summary>
    internal static IReadOnlyList<object> Decide(MoveToAudience command, Room? room, Participant? actor, Participant? target,
        Conversation stage, DateTimeOffset now)
    {
        room.RequireLive();
        if (command.ModeratorId != command.UserId) actor.RequireModerator();
        target = RequireInRoom(target);
        if (target.Role == RoomRole.Listener) return [];
        if (target.Role == RoomRole.Moderator)
            throw RuleViolation.Conflict("cannot_move_a_moderator", "Moderators stay on the stage until they leave the room.", "userId");
        return
        [
            new MovedToAudience(room.Id, command.UserId, command.ModeratorId, command.Reason, now),
            .. RoleMembership.Leave(stage, command.UserId, MembershipRoles.Stage, now),
        ];
    }

    /// <summary>Making a moderator a moderator changes nothing; a listener is promoted to the stage first.</summary>
    internal static IReadOnlyList<object> Decide(MakeModerator command, Room? room, Participant? moderator, Participant? target, DateTimeOffset now)
    {
        room.RequireLive();
        moderator.RequireModerator();
        target = RequireInRoom(target);
        return target.Role switch
        {
            RoomRole.Moderator => [],
            RoomRole.Listener => throw RuleViolation.Conflict("not_on_stage", "Bring them onto the stage first.", "userId"),
            _ => [new MadeModerator(room.Id, command.UserId, command.ModeratorId, now)],
        };
    }

    /// <summary>
    /// Decides <see cref="PromoteToStage"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(PromoteToStage command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (streams, room, moderator, target) = await LockTargetAsync(session, command.RoomId, command.ModeratorId, command.UserId, ct);
        var question = command.QuestionId is null ? null : await streams.LockAsync<Question>(command.QuestionId, ct);
        var stage = await LockStageAsync(streams, room, ct);
        streams.Append(Decide(command, room, moderator, target, question, stage!, clock.GetUtcNow()));
    }

    /// <summary>
    /// Decides <see cref="MoveToAudience"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(MoveToAudience command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (streams, room, actor, target) = await LockTargetAsync(session, command.RoomId, command.ModeratorId, command.UserId, ct);
        var stage = await LockStageAsync(streams, room, ct);
        streams.Append(Decide(command, room, actor, target, stage!, clock.GetUtcNow()));
    }

    /// <summary>
    /// Decides <see cref="MakeModerator"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task Handle(MakeModerator command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var (streams, room, moderator, target) = await LockTargetAsync(session, command.RoomId, command.ModeratorId, command.UserId, ct);
        streams.Append(Decide(command, room, moderator, target, clock.GetUtcNow()));
    }

    private static Participant RequireInRoom(Participant? target) =>
        target is { Present: true } ? target : throw RuleViolation.Conflict("user_not_in_room", "They are not in the room.", "userId");

    private static async Task<(WriteSet, Room?, Participant?, Participant?)> LockTargetAsync(IDocumentSession session, string roomId,
        string actorId, string targetId, CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var room = await session.LoadAsync<Room>(roomId, ct);
        var actor = await session.LoadAsync<Participant>(RoomStreams.ParticipantId(roomId, actorId), ct);
        var target = await streams.LockAsync<Participant>(RoomStreams.ParticipantId(roomId, targetId), ct);
        return (streams, room, actor, target);
    }

    private static async Task<Conversation?> LockStageAsync(WriteSet streams, Room? room, CancellationToken ct) =>
        room is null ? null : await streams.LockAsync<Conversation>(room.StageConversationId, ct);
}
