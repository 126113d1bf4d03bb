using Backchannel.Domain.Common;
using Backchannel.Domain.Rooms;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Questions;

/// <summary>A decision the stage (moderators and speakers present in a live room) takes on one question.</summary>
public interface IScreeningCommand
{
    /// <summary>The question decided on.</summary>
    string QuestionId { get; }
    /// <summary>The room the question was asked in.</summary>
    string RoomId { get; }
    /// <summary>Who decides: a moderator or speaker present in the room.</summary>
    string UserId { get; }
}

/// <summary>Show a pending question to the whole room.</summary>
public sealed record ApproveQuestion(string QuestionId, string RoomId, string UserId) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="ApproveQuestion"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<ApproveQuestion>;
}

/// <summary>Set a question aside, saying why if you wish.</summary>
public sealed record DismissQuestion(string QuestionId, string RoomId, string UserId, string? Reason) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="DismissQuestion"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<DismissQuestion>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RuleFor(x => x.Reason).MustBeReason();
    }
}

/// <summary>Bring a dismissed question back to pending.</summary>
public sealed record ReopenQuestion(string QuestionId, string RoomId, string UserId) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="ReopenQuestion"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<ReopenQuestion>;
}

/// <summary>Pin an approved question on top of the room's list.</summary>
public sealed record PinQuestion(string QuestionId, string RoomId, string UserId) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="PinQuestion"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<PinQuestion>;
}

/// <summary>Unpin a question.</summary>
public sealed record UnpinQuestion(string QuestionId, string RoomId, string UserId) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="UnpinQuestion"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<UnpinQuestion>;
}

/// <summary>Answer in text, for the whole room or the asker only; a further answer adds to the first.</summary>
public sealed record AnswerQuestion(string QuestionId, string RoomId, string UserId, string Text, AnswerVisibility Visibility) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="AnswerQuestion"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<AnswerQuestion>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.Text).MustBeMessageText();
            RuleFor(x => x.Visibility).IsInEnum();
        }
    }
}

/// <summary>Mark a question as answered out loud on the stage.</summary>
public sealed record MarkAnsweredLive(string QuestionId, string RoomId, string UserId) : IScreeningCommand
{
    /// <summary>The input rules of <see cref="MarkAnsweredLive"/>: those every screening command shares.</summary>
    public sealed class Validator : ScreeningValidator<MarkAnsweredLive>;
}

/// <summary>The input rules every screening command shares: well-formed question and room ids, and a handle.</summary>
public abstract class ScreeningValidator<T> : AbstractValidator<T> where T : IScreeningCommand
{
    /// <summary>Declares the shared rules; a command's own validator adds its own after them.</summary>
    protected ScreeningValidator()
    {
        RuleFor(x => x.QuestionId).MustBeId();
        RuleFor(x => x.RoomId).MustBeId();
        RuleFor(x => x.UserId).MustBeHandle();
    }
}

/// <summary>
/// Screening moves a question through pending, approved, dismissed and answered. Asking for the state a question is
/// already in changes nothing; a move that skips a step the stage must take (pinning what nobody approved, answering
/// what was dismissed) is refused.
/// </summary>
public static class ScreeningHandler
{
    internal static IReadOnlyList<object> Decide(ApproveQuestion command, Room? room, Participant? screener, Question? question, DateTimeOffset now) =>
        Screen(command, room, screener, question).Status switch
        {
            QuestionStatus.Pending => [new QuestionApproved(command.QuestionId, command.RoomId, command.UserId, now)],
            QuestionStatus.Dismissed => throw Dismissed(),
            _ => [],
        };

    internal static IReadOnlyList<object> Decide(DismissQuestion command, Room? room, Participant? screener, Question? question, DateTimeOffset now) =>
        Screen(command, room, screener, question).Status switch
        {
            QuestionStatus.Pending or QuestionStatus.Approved =>
                [new QuestionDismissed(command.QuestionId, command.RoomId, command.UserId, command.Reason, now)],
            QuestionStatus.Answered => throw Answered(),
            _ => [],
        };

    internal static IReadOnlyList<object> Decide(ReopenQuestion command, Room? room, Participant? screener, Question? question, DateTimeOffset now) =>
        Screen(command, room, screener, question).Status switch
        {
            QuestionStatus.Dismissed => [new QuestionReopened(command.QuestionId, command.RoomId, command.UserId, now)],
            QuestionStatus.Answered => throw Answered(),
            _ => [],
        };

    internal static IReadOnlyList<object> Decide(PinQuestion command, Room? room, Participant? screener, Question? question, DateTimeOffset now)
    {
        var q = Screen(command, room, screener, question);
        return q.Status switch
        {
            QuestionStatus.Pending => throw RuleViolation.Conflict("question_not_approved", "Approve the question before pinning it."),
            QuestionStatus.Dismissed => throw Dismissed(),
            _ when q.Pinned => [],
            _ => [new QuestionPinned(command.QuestionId, command.RoomId, command.UserId, now)],
        };
    }

    internal static IReadOnlyList<object> Decide(UnpinQuestion command, Room? room, Participant? screener, Question? question, DateTimeOffset now) =>
        Screen(command, room, screener, question).Pinned ? [new QuestionUnpinned(command.QuestionId, command.RoomId, command.UserId, now)] : [];

    internal static IReadOnlyList<object> Decide(AnswerQuestion command, Room? room, Participant? screener, Question? question, DateTimeOffset now) =>
        Screen(command, room, screener, question).Status == QuestionStatus.Dismissed
            ? throw Dismissed()
            : [new QuestionAnswered(command.QuestionId, command.RoomId, command.UserId, command.Text, command.Visibility, now)];

    internal static IReadOnlyList<object> Decide(MarkAnsweredLive command, Room? room, Participant? screener, Question? question, DateTimeOffset now)
    {
        var q = Screen(command, room, screener, question);
        if (q.Status == QuestionStatus.Dismissed) throw Dismissed();
        return q.AnsweredLive ? [] : [new QuestionAnsweredLive(command.QuestionId, command.RoomId, command.UserId, now)];
    }

    /// <summary>Decides <see cref="ApproveQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(ApproveQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>Decides <see cref="DismissQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(DismissQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>Decides <see cref="ReopenQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(ReopenQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>Decides <see cref="PinQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(PinQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>Decides <see cref="UnpinQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(UnpinQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>Decides <see cref="AnswerQuestion"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(AnswerQuestion command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>Decides <see cref="MarkAnsweredLive"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    [NonTransactional]
    public static Task Handle(MarkAnsweredLive command, IDocumentSession session, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        ScreenAsync(command, session, pipeline, (r, s, q) => Decide(command, r, s, q, clock.GetUtcNow()), context, ct);

    /// <summary>The question, if the screener may screen it now: on the stage of the live room it was asked in.</summary>
    private static Question Screen(IScreeningCommand command, Room? room, Participant? screener, Question? question)
    {
        room.RequireLive();
        screener.RequireOnStage();
        return question.RequireIn(command.RoomId);
    }

    private static async Task ScreenAsync(IScreeningCommand command, IDocumentSession session, CommandPipeline pipeline,
        Func<Room?, Participant?, Question?, IReadOnlyList<object>> decide, IMessageContext context, CancellationToken ct)
    {
        var room = await session.LoadAsync<Room>(command.RoomId, ct);
        var screener = await session.LoadAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.UserId), ct);
        await pipeline.DecideAsync<Question>(command.QuestionId, q => decide(room, screener, q), context, ct);
    }

    private static RuleViolation Dismissed() => RuleViolation.Conflict("question_dismissed", "The question was dismissed: reopen it first.");

    private static RuleViolation Answered() => RuleViolation.Conflict("question_answered", "The question has been answered.");
}
