using System.Diagnostics.CodeAnalysis;
using Backchannel.Domain.Common;

namespace Backchannel.Domain.Questions;

/// <summary>A question as screening decisions need it (an inline snapshot of the question's stream).</summary>
public sealed record Question(
    string Id,
    string RoomId,
    string AskedBy,
    bool Anonymous,
    QuestionStatus Status,
    bool Pinned,
    bool AnsweredLive,
    DateTimeOffset AskedAt)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>Pending and approved questions are open: listeners may still upvote them.</summary>
    public bool IsOpen => Status is QuestionStatus.Pending or QuestionStatus.Approved;

    /// <summary>Starts this state from <see cref="QuestionAsked"/> (Marten calls it to keep the snapshot).</summary>
    public static Question Create(QuestionAsked e) => new(e.QuestionId, e.RoomId, e.AskedBy, e.Anonymous, QuestionStatus.Pending, false, false, e.At);

    /// <summary>Folds <see cref="QuestionApproved"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionApproved _) => this with { Status = QuestionStatus.Approved };
    /// <summary>Folds <see cref="QuestionDismissed"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionDismissed _) => this with { Status = QuestionStatus.Dismissed, Pinned = false };
    /// <summary>Folds <see cref="QuestionReopened"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionReopened _) => this with { Status = QuestionStatus.Pending };
    /// <summary>Folds <see cref="QuestionPinned"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionPinned _) => this with { Pinned = true };
    /// <summary>Folds <see cref="QuestionUnpinned"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionUnpinned _) => this with { Pinned = false };
    /// <summary>Folds <see cref="QuestionAnswered"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionAnswered _) => this with { Status = QuestionStatus.Answered };
    /// <summary>Folds <see cref="QuestionAnsweredLive"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionAnsweredLive _) => this with { Status = QuestionStatus.Answered, AnsweredLive = true };
    /// <summary>Folds <see cref="QuestionTakenToStage"/> (Marten calls it to keep the snapshot).</summary>
    public Question Apply(QuestionTakenToStage _) => this;
}

/// <summary>One listener's upvote of one question (an inline snapshot: the documents the upvote counts are taken from).</summary>
public sealed record Upvote(string Id, string QuestionId, string RoomId, string UserId, bool Active)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>Starts this state from <see cref="QuestionUpvoted"/> (Marten calls it to keep the snapshot).</summary>
    public static Upvote Create(QuestionUpvoted e) => new(QuestionStreams.UpvoteId(e.QuestionId, e.UserId), e.QuestionId, e.RoomId, e.UserId, true);

    /// <summary>Folds <see cref="QuestionUpvoted"/> (Marten calls it to keep the snapshot).</summary>
    public Upvote Apply(QuestionUpvoted _) => this with { Active = true };
    /// <summary>Folds <see cref="UpvoteWithdrawn"/> (Marten calls it to keep the snapshot).</summary>
    public Upvote Apply(UpvoteWithdrawn _) => this with { Active = false };
}

internal static class QuestionStreams
{
    /// <summary>One stream per listener per question; '/' cannot occur in an id.</summary>
    public static string UpvoteId(string questionId, string userId) => $"{questionId}/{userId}";

    /// <summary>The question, if it was asked in this room (a question of another room does not exist here).</summary>
    public static Question RequireIn([NotNull] this Question? question, string roomId, string field = "questionId") =>
        question is not null && question.RoomId == roomId
            ? question
            : throw RuleViolation.NotFound("question_not_found", "No such question in this room.", field);
}
