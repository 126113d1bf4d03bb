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
    /// <summary>The longest question, in characters.</summary>
    public const int MaxLength = 500;

    /// <summary>
    /// The input rules of <see cref="AskQuestion"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<AskQuestion>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.QuestionId).MustBeNewStreamId();
            RoomCommands.RequireIds(this, x => x.RoomId, x => x.UserId);
            RuleFor(x => x.Text).MustBeText(MaxLength);
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="AskQuestion"/>: loads the state, runs the pure decision and appends its events.
/// Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead
/// of calling it.
/// </summary>
public static class AskQuestionHandler
{
    /// <summary>A refused retry of an asked question is still a no-op; a new question over the rate limit is suppressed.</summary>
    internal static IReadOnlyList<object> Decide(AskQuestion command, Room? room, Participant? asker, Question? existing, Throttle throttle,
        DateTimeOffset now)
    {
        room.RequireLive();
        asker.RequireListener();
        if (existing is not null)
        {
            return existing.AskedBy == command.UserId && existing.RoomId == command.RoomId
                ? []
                : throw RuleViolation.Conflict("question_exists", "A question with this id exists already.", "questionId");
        }
        return throttle.Refused
            ? [new QuestionSuppressedByRateLimit(command.RoomId, command.UserId, throttle.Rule, now + throttle.RetryAfter, now)]
            : [new QuestionAsked(command.QuestionId, command.RoomId, command.UserId, command.Text, command.Anonymous, now)];
    }

    /// <summary>
    /// The asker's participant stream is locked first: it serialises one listener's questions, so the rate limit
    /// counts them exactly, while other listeners ask in parallel.
    /// </summary>
    public static async Task<Paced> Handle(AskQuestion command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock,
        CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        var asker = await streams.LockAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), ct);
        var existing = await streams.LockAsync<Question>(command.QuestionId, ct, "questionId");
        var now = clock.GetUtcNow();
        var limit = settings.RateLimits.Questions;
        var since = now - limit.Window;
        var asked = await session.Query<Question>()
            .Where(q => q.RoomId == command.RoomId && q.AskedBy == command.UserId && q.AskedAt > since)
            .Select(q => q.AskedAt).ToListAsync(ct);
        var throttle = RateWindow.Check(limit, asked, now, settings.RateLimits.WarnAtShare);
        var events = streams.Append(Decide(command, room, asker, existing, throttle, now));
        return new Paced(events.Count == 0 ? null : throttle);
    }
}
