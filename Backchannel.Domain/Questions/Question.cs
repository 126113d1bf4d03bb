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
    public long Version { get; init; }

    /// <summary>Pending and approved questions are open: listeners may still upvote them.</summary>
    public bool IsOpen => Status is QuestionStatus.Pending or QuestionStatus.Approved;

    public static Question Create(QuestionAsked e) => new(e.QuestionId, e.RoomId, e.AskedBy, e.Anonymous, QuestionStatus.Pending, false, false, e.At);

    public Question Apply(QuestionApproved _) => this with { Status = QuestionStatus.Approved };
    public Question Apply(QuestionDismissed _) => this with { Status = QuestionStatus.Dismissed, Pinned = false };
    public Question Apply(QuestionReopened _) => this with { Status = QuestionStatus.Pending };
    public Question Apply(QuestionPinned _) => this with { Pinned = true };
    public Question Apply(QuestionUnpinned _) => this with { Pinned = false };
    public Question Apply(QuestionAnswered _) => this with { Status = QuestionStatus.Answered };
    public Question Apply(QuestionAnsweredLive _) => this with { Status = QuestionStatus.Answered, AnsweredLive = true };
    public Question Apply(QuestionTakenToStage _) => this;
}

/// <summary>One listener's upvote of one question (an inline snapshot: the documents the upvote counts are taken from).</summary>
public sealed record Upvote(string Id, string QuestionId, string RoomId, string UserId, bool Active)
{
    public long Version { get; init; }

    public static Upvote Create(QuestionUpvoted e) => new(QuestionStreams.UpvoteId(e.QuestionId, e.UserId), e.QuestionId, e.RoomId, e.UserId, true);

    public Upvote Apply(QuestionUpvoted _) => this with { Active = true };
    public Upvote Apply(UpvoteWithdrawn _) => this with { Active = false };
}

internal static class QuestionStreams
{
    /// <summary>One stream per listener per question; '/' cannot occur in an id.</summary>
    public static string UpvoteId(string questionId, string userId) => $"{questionId}/{userId}";

    public static string? Of(object e) => e switch
    {
        QuestionUpvoted x => UpvoteId(x.QuestionId, x.UserId),
        UpvoteWithdrawn x => UpvoteId(x.QuestionId, x.UserId),
        QuestionAsked x => x.QuestionId,
        QuestionApproved x => x.QuestionId,
        QuestionDismissed x => x.QuestionId,
        QuestionReopened x => x.QuestionId,
        QuestionPinned x => x.QuestionId,
        QuestionUnpinned x => x.QuestionId,
        QuestionAnswered x => x.QuestionId,
        QuestionAnsweredLive x => x.QuestionId,
        QuestionTakenToStage x => x.QuestionId,
        _ => null,
    };

    /// <summary>The question, if it was asked in this room (a question of another room does not exist here).</summary>
    public static Question RequireIn([NotNull] this Question? question, string roomId, string field = "questionId") =>
        question is not null && question.RoomId == roomId
            ? question
            : throw RuleViolation.NotFound("question_not_found", "No such question in this room.", field);
}
