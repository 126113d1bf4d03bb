using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Marten.Events.Aggregation;

namespace Backchannel.Projections.Rooms;

/// <summary>A room's life as its views show it. Who is in it comes from the participants' own documents.</summary>
public sealed class RoomView
{
    public string Id { get; set; } = "";
    public string Title { get; set; } = "";
    public string StartedBy { get; set; } = "";
    public string? EventId { get; set; }
    public string StageConversationId { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public bool Ended { get; set; }
    public string? EndedBy { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public long Version { get; set; }
}

/// <summary>Builds <see cref="RoomView"/> from a room's stream (inline).</summary>
internal partial class RoomViewProjection : SingleStreamProjection<RoomView, string>
{
    public static RoomView Create(RoomStarted e) => new()
    {
        Id = e.RoomId, Title = e.Title, StartedBy = e.StartedBy, EventId = e.EventId,
        StageConversationId = e.StageConversationId, StartedAt = e.At,
    };

    public static void Apply(RoomEnded e, RoomView view)
    {
        view.Ended = true;
        view.EndedBy = e.EndedBy;
        view.EndedAt = e.At;
    }
}

/// <summary>A question as the room and its stage see it; who asked is kept here and hidden when read if anonymous.</summary>
public sealed class QuestionView
{
    public string Id { get; set; } = "";
    public string RoomId { get; set; } = "";
    public string AskedBy { get; set; } = "";
    public bool Anonymous { get; set; }
    public string Text { get; set; } = "";
    public DateTimeOffset AskedAt { get; set; }
    public QuestionStatus Status { get; set; }
    public bool Pinned { get; set; }
    public bool AnsweredLive { get; set; }
    public bool TakenToStage { get; set; }
    public string? DismissedReason { get; set; }
    public List<AnswerView> Answers { get; set; } = [];
    public long Version { get; set; }
}

/// <summary>One text answer, and who may read it.</summary>
public sealed record AnswerView(string AnsweredBy, string Text, AnswerVisibility Visibility, DateTimeOffset At);

/// <summary>Builds <see cref="QuestionView"/> from a question's stream (inline: the screener reads their own decision).</summary>
internal partial class QuestionViewProjection : SingleStreamProjection<QuestionView, string>
{
    public static QuestionView Create(QuestionAsked e) => new()
    {
        Id = e.QuestionId, RoomId = e.RoomId, AskedBy = e.AskedBy, Anonymous = e.Anonymous, Text = e.Text, AskedAt = e.At,
    };

    public static void Apply(QuestionApproved _, QuestionView view) => view.Status = QuestionStatus.Approved;

    public static void Apply(QuestionDismissed e, QuestionView view)
    {
        view.Status = QuestionStatus.Dismissed;
        view.Pinned = false;
        view.DismissedReason = e.Reason;
    }

    public static void Apply(QuestionReopened _, QuestionView view)
    {
        view.Status = QuestionStatus.Pending;
        view.DismissedReason = null;
    }

    public static void Apply(QuestionPinned _, QuestionView view) => view.Pinned = true;
    public static void Apply(QuestionUnpinned _, QuestionView view) => view.Pinned = false;

    public static void Apply(QuestionAnswered e, QuestionView view)
    {
        view.Status = QuestionStatus.Answered;
        view.Answers.Add(new AnswerView(e.AnsweredBy, e.Text, e.Visibility, e.At));
    }

    public static void Apply(QuestionAnsweredLive _, QuestionView view)
    {
        view.Status = QuestionStatus.Answered;
        view.AnsweredLive = true;
    }

    public static void Apply(QuestionTakenToStage _, QuestionView view) => view.TakenToStage = true;
}
