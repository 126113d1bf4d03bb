using Backchannel.Domain.Common;
using Backchannel.Domain.Rooms;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Questions;

/// <summary>A listener upvotes an open question of a live room, once: upvoting again is a no-op.</summary>
public sealed record UpvoteQuestion(string QuestionId, string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="UpvoteQuestion"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<UpvoteQuestion>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.QuestionId).MustBeId();
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
        }
    }
}

/// <summary>A listener takes back their upvote; with none to take back, a no-op.</summary>
public sealed record WithdrawUpvote(string QuestionId, string RoomId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="WithdrawUpvote"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<WithdrawUpvote>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.QuestionId).MustBeId();
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
        }
    }
}

/// <summary>
/// Upvotes are decided on the voter's own upvote stream, reading the room, the voter and the question without locking
/// them: a popular question's upvotes never wait on each other, and a repeat finds the vote already cast.
/// </summary>
public static class UpvotingHandler
{
    internal static IReadOnlyList<object> Decide(UpvoteQuestion command, Room? room, Participant? voter, Question? question,
        Upvote? upvote, DateTimeOffset now)
    {
        room.RequireLive();
        voter.RequireListener();
        question.RequireIn(command.RoomId);
        if (!question.IsOpen)
            throw RuleViolation.Conflict("question_closed", $"The question is {question.Status.ToString().ToLowerInvariant()}: it takes no more upvotes.");
        return upvote is { Active: true } ? [] : [new QuestionUpvoted(question.Id, question.RoomId, command.UserId, now)];
    }

    internal static IReadOnlyList<object> Decide(WithdrawUpvote command, Room? room, Participant? voter, Question? question,
        Upvote? upvote, DateTimeOffset now)
    {
        room.RequireLive();
        voter.RequirePresent();
        question.RequireIn(command.RoomId);
        return upvote is { Active: true } ? [new UpvoteWithdrawn(question.Id, question.RoomId, command.UserId, now)] : [];
    }

    /// <summary>Decides <see cref="UpvoteQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static async Task Handle(UpvoteQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct)
    {
        var (room, voter, question) = await ReadAsync(session, command.RoomId, command.UserId, command.QuestionId, ct);
        await pipeline.DecideAsync<Upvote>(QuestionStreams.UpvoteId(command.QuestionId, command.UserId),
            u => Decide(command, room, voter, question, u, clock.GetUtcNow()), context, ct);
    }

    /// <summary>Decides <see cref="WithdrawUpvote"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static async Task Handle(WithdrawUpvote command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct)
    {
        var (room, voter, question) = await ReadAsync(session, command.RoomId, command.UserId, command.QuestionId, ct);
        await pipeline.DecideAsync<Upvote>(QuestionStreams.UpvoteId(command.QuestionId, command.UserId),
            u => Decide(command, room, voter, question, u, clock.GetUtcNow()), context, ct);
    }

    private static async Task<(Room?, Participant?, Question?)> ReadAsync(IDocumentSession session, string roomId, string userId,
        string questionId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var room = batch.Load<Room>(roomId);
        var voter = batch.Load<Participant>(RoomStreams.ParticipantId(roomId, userId));
        var question = batch.Load<Question>(questionId);
        await batch.Execute(ct);
        return (await room, await voter, await question);
    }
}
