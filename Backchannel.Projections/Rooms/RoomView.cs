using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Marten.Events.Aggregation;

namespace Backchannel.Projections.Rooms;

/// <summary>A room's life as its views show it. Who is in it comes from the participants' own documents.</summary>
public sealed class RoomView
{
    /// <summary>The room id.</summary>
    public string Id { get; set; } = "";
    /// <summary>The room's title.</summary>
    public string Title { get; set; } = "";
    /// <summary>Who started it.</summary>
    public string StartedBy { get; set; } = "";
    /// <summary>The scheduled event it was started from, if any.</summary>
    public string? EventId { get; set; }
    /// <summary>The stage backchannel's conversation.</summary>
    public string StageConversationId { get; set; } = "";
    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>Whether it has ended.</summary>
    public bool Ended { get; set; }
    /// <summary>Who ended it.</summary>
    public string? EndedBy { get; set; }
    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }
    /// <summary>The stream version the view was built up to (Marten keeps it).</summary>
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
    /// <summary>The question id.</summary>
    public string Id { get; set; } = "";
    /// <summary>The room it was asked in.</summary>
    public string RoomId { get; set; } = "";
    /// <summary>Who asked; kept even when anonymous, and hidden when read.</summary>
    public string AskedBy { get; set; } = "";
    /// <summary>Whether the asker hid their name from the room.</summary>
    public bool Anonymous { get; set; }
    /// <summary>The question.</summary>
    public string Text { get; set; } = "";
    /// <summary>When it was asked.</summary>
    public DateTimeOffset AskedAt { get; set; }
    /// <summary>Where screening has put it: pending, approved, answered or dismissed.</summary>
    public QuestionStatus Status { get; set; }
    /// <summary>Whether the stage pinned it to the top.</summary>
    public bool Pinned { get; set; }
    /// <summary>Whether it was answered out loud on the stage.</summary>
    public bool AnsweredLive { get; set; }
    /// <summary>Whether its asker was brought on stage to ask it.</summary>
    public bool TakenToStage { get; set; }
    /// <summary>Why it was dismissed, if a reason was given.</summary>
    public string? DismissedReason { get; set; }
    /// <summary>The written answers, oldest first.</summary>
    public List<AnswerView> Answers { get; set; } = [];
    /// <summary>The stream version the view was built up to (Marten keeps it).</summary>
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
