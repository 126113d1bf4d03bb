using Backchannel.Domain.Common;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Planning;
using Marten;

namespace Backchannel.Projections.Rooms;

/// <summary>A room as someone present in it sees it.</summary>
public sealed record RoomScreen(
    string RoomId,
    string Title,
    EventLink? Event,
    bool Ended,
    DateTimeOffset StartedAt,
    RoomRole YourRole,
    bool YourHandRaised,
    // The stage backchannel, for those on the stage.
    string? StageConversationId,
    IReadOnlyList<StageMember> Stage,
    int ListenerCount,
    IReadOnlyList<string> Listeners,
    // Approved and answered questions: pinned first, then by upvotes, then oldest first.
    IReadOnlyList<QuestionItem> Questions,
    // Your own questions, whatever the stage decided.
    IReadOnlyList<QuestionItem> YourQuestions);

/// <summary>What a room's moderators and speakers screen.</summary>
public sealed record ModerationView(
    string RoomId,
    string Title,
    bool Ended,
    // Waiting for screening: most upvoted first, then oldest first.
    IReadOnlyList<QuestionItem> Pending,
    IReadOnlyList<QuestionItem> Approved,
    IReadOnlyList<QuestionItem> Pinned,
    IReadOnlyList<QuestionItem> Answered,
    IReadOnlyList<QuestionItem> Dismissed,
    // Listeners asking to speak, in the order they raised their hands.
    IReadOnlyList<RaisedHand> RaisedHands,
    IReadOnlyList<StageMember> Stage);

public sealed record StageMember(string UserId, RoomRole Role);

public sealed record RaisedHand(string UserId, DateTimeOffset RaisedAt);

/// <summary>A question as one viewer may see it: an anonymous asker is null; private answers reach the asker only.</summary>
public sealed record QuestionItem(
    string QuestionId,
    string Text,
    string? AskedBy,
    bool Anonymous,
    QuestionStatus Status,
    bool Pinned,
    int Upvotes,
    bool YouUpvoted,
    bool AnsweredLive,
    bool TakenToStage,
    string? DismissedReason,
    IReadOnlyList<AnswerView> Answers,
    DateTimeOffset AskedAt);

/// <summary>A link from a conversation or a room to a scheduled event.</summary>
public sealed record EventLink(string EventId, string Title, DateTimeOffset StartsAt, bool Cancelled);

/// <summary>A link from a conversation to the room it was started from.</summary>
public sealed record RoomLink(string RoomId, string Title, bool Ended);

public static class RoomQueries
{
    public const int MaxListenersShown = 500;

    /// <summary>The room for someone present in it; 404 when there is no such room, 403 when the viewer is not in it.</summary>
    public static async Task<RoomScreen> RoomAsync(this IQuerySession session, string viewer, string roomId, CancellationToken ct = default)
    {
        var (room, me, participants, questions, upvotes) = await LoadAsync(session, viewer, roomId, ct);
        me.RequirePresent();
        var eventLink = room.EventId is null ? null : (await session.EventLinksAsync([room.EventId], ct)).GetValueOrDefault(room.EventId);
        var listeners = participants.Where(p => p.IsListening).OrderBy(p => p.JoinedAt).ToList();
        var shown = questions.Where(q => q.Status is QuestionStatus.Approved or QuestionStatus.Answered)
            .Select(q => Item(q, viewer, upvotes))
            .OrderByDescending(q => q.Pinned).ThenByDescending(q => q.Upvotes).ThenBy(q => q.AskedAt).ToList();
        return new RoomScreen(room.Id, room.Title, eventLink, room.Ended, room.StartedAt, me.Role, me.HandRaisedAt is not null,
            me.OnStage ? room.StageConversationId : null,
            StageOf(participants), listeners.Count, listeners.Take(MaxListenersShown).Select(p => p.UserId).ToList(), shown,
            questions.Where(q => q.AskedBy == viewer).OrderBy(q => q.AskedAt).Select(q => Item(q, viewer, upvotes)).ToList());
    }

    /// <summary>The moderation view, for the room's moderators and speakers only (403 for anyone else).</summary>
    public static async Task<ModerationView> ModerationAsync(this IQuerySession session, string viewer, string roomId, CancellationToken ct = default)
    {
        var (room, me, participants, questions, upvotes) = await LoadAsync(session, viewer, roomId, ct);
        me.RequireOnStage();
        var items = questions.Select(q => (View: q, Item: Item(q, viewer, upvotes))).ToList();
        List<QuestionItem> InStatus(QuestionStatus status) =>
            items.Where(q => q.View.Status == status).Select(q => q.Item).OrderByDescending(q => q.Upvotes).ThenBy(q => q.AskedAt).ToList();
        return new ModerationView(room.Id, room.Title, room.Ended,
            InStatus(QuestionStatus.Pending), InStatus(QuestionStatus.Approved),
            items.Where(q => q.View.Pinned).Select(q => q.Item).OrderBy(q => q.AskedAt).ToList(),
            InStatus(QuestionStatus.Answered), InStatus(QuestionStatus.Dismissed),
            participants.Where(p => p.IsListening && p.HandRaisedAt is not null).OrderBy(p => p.HandRaisedAt)
                .Select(p => new RaisedHand(p.UserId, p.HandRaisedAt!.Value)).ToList(),
            StageOf(participants));
    }

    private static async Task<(RoomView, Participant?, IReadOnlyList<Participant>, IReadOnlyList<QuestionView>, Votes)> LoadAsync(
        IQuerySession session, string viewer, string roomId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var room = batch.Load<RoomView>(roomId);
        var me = batch.Load<Participant>(RoomStreams.ParticipantId(roomId, viewer));
        var participants = batch.Query<Participant>().Where(p => p.RoomId == roomId && p.Present).ToList();
        var questions = batch.Query<QuestionView>().Where(q => q.RoomId == roomId).ToList();
        var mine = batch.Query<Upvote>().Where(u => u.RoomId == roomId && u.UserId == viewer && u.Active).ToList();
        await batch.Execute(ct);
        var view = await room ?? throw RuleViolation.NotFound("room_not_found", "No such room.");
        return (view, await me, await participants, await questions,
            new Votes(await CountVotesAsync(session, roomId, ct), (await mine).Select(u => u.QuestionId).ToHashSet()));
    }

    /// <summary>
    /// Counted from one document per vote, never from a running total: a count cannot drift, and votes cast at the
    /// same moment never overwrite each other. Counted by the database, so a room's read does not grow with its votes.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, int>> CountVotesAsync(IQuerySession session, string roomId, CancellationToken ct)
    {
        var table = session.DocumentStore.Options.Schema.For<Upvote>();
        var counts = await session.AdvancedSql.QueryAsync<VoteCount>(
            $"select jsonb_build_object('questionId', d.data ->> 'questionId', 'votes', count(*)) from {table} as d " +
            "where d.room_id = ? and (d.data ->> 'active')::boolean group by d.data ->> 'questionId'",
            ct, roomId);
        return counts.ToDictionary(c => c.QuestionId, c => c.Votes);
    }

    private sealed record VoteCount(string QuestionId, int Votes);

    private sealed record Votes(IReadOnlyDictionary<string, int> Counts, IReadOnlySet<string> ByViewer);

    private static IReadOnlyList<StageMember> StageOf(IEnumerable<Participant> participants) =>
        participants.Where(p => p.OnStage).OrderByDescending(p => p.Role).ThenBy(p => p.JoinedAt)
            .Select(p => new StageMember(p.UserId, p.Role)).ToList();

    private static QuestionItem Item(QuestionView q, string viewer, Votes votes) => new(
        q.Id, q.Text, q.Anonymous ? null : q.AskedBy, q.Anonymous, q.Status, q.Pinned,
        votes.Counts.GetValueOrDefault(q.Id), votes.ByViewer.Contains(q.Id), q.AnsweredLive, q.TakenToStage, q.DismissedReason,
        q.Answers.Where(a => a.Visibility == AnswerVisibility.Public || q.AskedBy == viewer).ToList(),
        q.AskedAt);

    /// <summary>Links to these rooms, for the conversations that name them.</summary>
    public static async Task<IReadOnlyDictionary<string, RoomLink>> RoomLinksAsync(this IQuerySession session, IEnumerable<string> roomIds,
        CancellationToken ct)
    {
        var ids = roomIds.Distinct().ToList();
        if (ids.Count == 0) return new Dictionary<string, RoomLink>();
        var rooms = await session.LoadManyAsync<RoomView>(ct, ids);
        return rooms.Where(r => r is not null).ToDictionary(r => r.Id, r => new RoomLink(r.Id, r.Title, r.Ended));
    }

    /// <summary>Links to these events, for the rooms and conversations that name them.</summary>
    public static async Task<IReadOnlyDictionary<string, EventLink>> EventLinksAsync(this IQuerySession session, IEnumerable<string> eventIds,
        CancellationToken ct)
    {
        var ids = eventIds.Distinct().ToList();
        if (ids.Count == 0) return new Dictionary<string, EventLink>();
        var events = await session.LoadManyAsync<EventView>(ct, ids);
        return events.Where(e => e is not null).ToDictionary(e => e.Id, e => new EventLink(e.Id, e.Title, e.StartsAt, e.Cancelled));
    }
}
