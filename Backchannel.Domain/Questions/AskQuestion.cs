using Backchannel.Domain.Common;
using Backchannel.Domain.Rooms;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Questions;

/// <summary>
/// A listener present in a live room asks the stage a question, anonymously or not. Asking again with the same
/// question id is a no-op, so a retry never asks twice.
/// </summary>
public sealed record AskQuestion(string QuestionId, string RoomId, string UserId, string Text, bool Anonymous)
{
    public const int MaxLength = 500;

    public sealed class Validator : AbstractValidator<AskQuestion>
    {
        public Validator()
        {
            RuleFor(x => x.QuestionId).MustBeId();
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
            RuleFor(x => x.Text).NotEmpty().MaximumLength(MaxLength);
        }
    }
}

public static class AskQuestionHandler
{
    public static IReadOnlyList<object> Decide(AskQuestion command, Room? room, Participant? asker, Question? existing, DateTimeOffset now)
    {
        room.RequireLive();
        asker.RequireListener();
        if (existing is not null)
        {
            return existing.AskedBy == command.UserId && existing.RoomId == command.RoomId
                ? []
                : throw RuleViolation.Conflict("question_exists", "A question with this id exists already.", "questionId");
        }
        return [new QuestionAsked(command.QuestionId, command.RoomId, command.UserId, command.Text, command.Anonymous, now)];
    }

    public static async Task Handle(AskQuestion command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        var asker = await session.LoadAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), ct);
        await session.DecideAsync<Question>(command.QuestionId, q => Decide(command, room, asker, q, clock.GetUtcNow()), ct);
    }
}
