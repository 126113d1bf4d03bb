using Backchannel.Domain.Common;
using Backchannel.Domain.Rooms;

namespace Backchannel.Domain.Questions;

/// <summary>An event of a question's stream, keyed by the question's id.</summary>
public interface IQuestionEvent : IRoomEvent
{
    /// <summary>The question whose stream it is.</summary>
    string QuestionId { get; }

    string IStreamEvent.StreamId => QuestionId;
}

/// <summary>An event of one listener's upvote of one question, on its own stream (<see cref="QuestionStreams.UpvoteId"/>).</summary>
public interface IUpvoteEvent : IQuestionEvent
{
    /// <summary>The listener whose vote it is.</summary>
    string UserId { get; }

    string IStreamEvent.StreamId => QuestionStreams.UpvoteId(QuestionId, UserId);
}


/// <summary>Where a question stands in screening.</summary>
public enum QuestionStatus
{
    /// <summary>Asked, not screened yet: only the stage sees it.</summary>
    Pending,
    /// <summary>Approved by the stage: the whole room sees it.</summary>
    Approved,
    /// <summary>Set aside by the stage; it may be reopened.</summary>
    Dismissed,
    /// <summary>Answered in text or live.</summary>
    Answered,
}

/// <summary>Who may read a text answer.</summary>
public enum AnswerVisibility
{
    /// <summary>Everyone in the room.</summary>
    Public,
    /// <summary>The asker only.</summary>
    Private,
}

// Events of a question's stream (stream key: the question id). Each names the question and its room first.

/// <summary>A listener asked a question, anonymously or not (the audit always knows who).</summary>
public sealed record QuestionAsked(string QuestionId, string RoomId, string AskedBy, string Text, bool Anonymous, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator approved the question: the room sees it.</summary>
public sealed record QuestionApproved(string QuestionId, string RoomId, string ApprovedBy, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator dismissed the question, saying why if they wished (it is unpinned).</summary>
public sealed record QuestionDismissed(string QuestionId, string RoomId, string DismissedBy, string? Reason, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator brought a dismissed question back to pending.</summary>
public sealed record QuestionReopened(string QuestionId, string RoomId, string ReopenedBy, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator pinned the question on top of the room's list.</summary>
public sealed record QuestionPinned(string QuestionId, string RoomId, string PinnedBy, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator unpinned the question.</summary>
public sealed record QuestionUnpinned(string QuestionId, string RoomId, string UnpinnedBy, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator answered in text, for the whole room or for the asker only.</summary>
public sealed record QuestionAnswered(
    string QuestionId, string RoomId, string AnsweredBy, string Text, AnswerVisibility Visibility, DateTimeOffset At) : IQuestionEvent;

/// <summary>A speaker or moderator marked the question as answered out loud on the stage.</summary>
public sealed record QuestionAnsweredLive(string QuestionId, string RoomId, string MarkedBy, DateTimeOffset At) : IQuestionEvent;

/// <summary>A moderator brought the asker onto the stage to ask the question themselves.</summary>
public sealed record QuestionTakenToStage(string QuestionId, string RoomId, string AskedBy, string PromotedBy, DateTimeOffset At) : IQuestionEvent;

// Events of one listener's upvote of one question (stream key: QuestionStreams.UpvoteId(question, user)). A stream
// per vote, not per question: thousands of listeners upvoting one question never contend, and a vote's stream
// holds exactly its own history, so it can be counted once and only once.

/// <summary>A listener upvoted a question.</summary>
public sealed record QuestionUpvoted(string QuestionId, string RoomId, string UserId, DateTimeOffset At) : IUpvoteEvent;

/// <summary>A listener took back their upvote.</summary>
public sealed record UpvoteWithdrawn(string QuestionId, string RoomId, string UserId, DateTimeOffset At) : IUpvoteEvent;

/// <summary>The free text of a question's events and who wrote it: what an erasure masks (<see cref="Privacy.ProtectedInformation"/>).</summary>
public static class QuestionProtectedText
{
    /// <summary>A question, an answer, a dismissal's reason.</summary>
    public static readonly IReadOnlyList<Privacy.ProtectedText> Rules =
    [
        Privacy.ProtectedText.Of<QuestionAsked>(e => e.AskedBy, e => e with { Text = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<QuestionAnswered>(e => e.AnsweredBy, e => e with { Text = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<QuestionDismissed>(e => e.DismissedBy, e => e with { Reason = null }),
    ];
}
