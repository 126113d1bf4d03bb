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
    IReadOnlyList<StageMember> Stage,
    // Where each list goes on (GET /rooms/{id}/moderation/{list}?after=), null for a list shown whole.
    ModerationNext Next);

/// <summary>The cursor of each list of the moderation view that goes on beyond its first page; null when it does not.</summary>
public sealed record ModerationNext(string? Pending, string? Approved, string? Pinned, string? Answered, string? Dismissed, string? RaisedHands);

/// <summary>One page of one list of the moderation view, and the cursor of the next page (null on the last).</summary>
public sealed record ModerationPage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>The lists of the moderation view, each in its own stable order.</summary>
public enum ModerationList
{
    /// <summary>Most upvoted first, then oldest first.</summary>
    Pending,
    /// <summary>Most upvoted first, then oldest first.</summary>
    Approved,
    /// <summary>Oldest first.</summary>
    Pinned,
    /// <summary>Most upvoted first, then oldest first.</summary>
    Answered,
    /// <summary>Most upvoted first, then oldest first.</summary>
    Dismissed,
    /// <summary>In the order the hands went up.</summary>
    RaisedHands,
}

/// <summary>Someone on a room's stage, and as what.</summary>
public sealed record StageMember(string UserId, RoomRole Role);

/// <summary>A listener with a hand up, and since when: the moderation view lists them in that order.</summary>
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

/// <summary>Why a viewer is shown no view of a room.</summary>
public enum RoomUnseen
{
    /// <summary>There is no such room.</summary>
    NoSuchRoom,
    /// <summary>The viewer is not in the room.</summary>
    NotInRoom,
    /// <summary>The viewer is in the room but not on its stage, and the view is the stage's.</summary>
    NotOnStage,
}

/// <summary>What a query of a room answers: the view, or why this viewer has none (<see cref="Unseen"/>).</summary>
public sealed record RoomAnswer<T>(T? View, RoomUnseen? Unseen) where T : class
{
    /// <summary>The view, shown.</summary>
    public static RoomAnswer<T> Shown(T view) => new(view, null);

    /// <summary>No view, and why.</summary>
    public static RoomAnswer<T> NotShown(RoomUnseen unseen) => new(null, unseen);
}

/// <summary>Reading a room as one person in it sees it, and its moderation view.</summary>
public static class RoomQueries
{
    /// <summary>The most listeners a room view names; the count is always exact.</summary>
    public const int MaxListenersShown = 500;

    /// <summary>The room for someone present in it; none when there is no such room or the viewer is not in it.</summary>
    public static async Task<RoomAnswer<RoomScreen>> RoomAsync(this IQuerySession session, string viewer, string roomId, CancellationToken ct = default)
    {
        if (await LoadAsync(session, viewer, roomId, ct) is not { } loaded) return RoomAnswer<RoomScreen>.NotShown(RoomUnseen.NoSuchRoom);
        var (room, me, participants, questions, upvotes) = loaded;
        if (me is not { Present: true }) return RoomAnswer<RoomScreen>.NotShown(RoomUnseen.NotInRoom);
        var eventLink = room.EventId is null ? null : (await session.EventLinksAsync([room.EventId], ct)).GetValueOrDefault(room.EventId);
        var listeners = participants.Where(p => p.IsListening).OrderBy(p => p.JoinedAt).ToList();
        var shown = questions.Where(q => q.Status is QuestionStatus.Approved or QuestionStatus.Answered)
            .Select(q => Item(q, viewer, upvotes))
            .OrderByDescending(q => q.Pinned).ThenByDescending(q => q.Upvotes).ThenBy(q => q.AskedAt).ToList();
        return RoomAnswer<RoomScreen>.Shown(new RoomScreen(room.Id, room.Title, eventLink, room.Ended, room.StartedAt, me.Role, me.HandRaisedAt is not null,
            me.OnStage ? room.StageConversationId : null,
            StageOf(participants), listeners.Count, listeners.Take(MaxListenersShown).Select(p => p.UserId).ToList(), shown,
            questions.Where(q => q.AskedBy == viewer).OrderBy(q => q.AskedAt).Select(q => Item(q, viewer, upvotes)).ToList()));
    }

    /// <summary>How many questions or hands a moderation page holds unless the caller asks otherwise.</summary>
    public const int DefaultModerationPageSize = Paging.DefaultLimit;
    /// <summary>The most questions or hands one moderation page may hold.</summary>
    public const int MaxModerationPageSize = Paging.MaxLimit;

    /// <summary>
    /// The moderation view, for the room's moderators and speakers only (none for anyone else): the first
    /// <paramref name="limit"/> entries of each list, and a cursor for each list that has more.
    /// </summary>
    public static async Task<RoomAnswer<ModerationView>> ModerationAsync(this IQuerySession session, string viewer, string roomId,
        int limit = DefaultModerationPageSize, CancellationToken ct = default)
    {
        if (await LoadAsync(session, viewer, roomId, ct) is not { } loaded) return RoomAnswer<ModerationView>.NotShown(RoomUnseen.NoSuchRoom);
        var (room, me, participants, questions, upvotes) = loaded;
        if (StageOnly(me) is { } unseen) return RoomAnswer<ModerationView>.NotShown(unseen);
        var lists = Lists(questions, participants, viewer, upvotes);
        var pages = Enum.GetValues<ModerationList>().ToDictionary(l => l, l => Page(l, lists[l], null, limit));
        return RoomAnswer<ModerationView>.Shown(new ModerationView(room.Id, room.Title, room.Ended,
            Questions(pages[ModerationList.Pending]), Questions(pages[ModerationList.Approved]), Questions(pages[ModerationList.Pinned]),
            Questions(pages[ModerationList.Answered]), Questions(pages[ModerationList.Dismissed]),
            pages[ModerationList.RaisedHands].Items.Select(e => (RaisedHand)e.Value).ToList(),
            StageOf(participants),
            new ModerationNext(pages[ModerationList.Pending].Next, pages[ModerationList.Approved].Next, pages[ModerationList.Pinned].Next,
                pages[ModerationList.Answered].Next, pages[ModerationList.Dismissed].Next, pages[ModerationList.RaisedHands].Next)));
    }

    /// <summary>Why someone is not shown what the stage screens, or null when they are on it.</summary>
    private static RoomUnseen? StageOnly(Participant? me) => me switch
    {
        not { Present: true } => RoomUnseen.NotInRoom,
        not { OnStage: true } => RoomUnseen.NotOnStage,
        _ => null,
    };

    /// <summary>
    /// The page of one list after <paramref name="after"/> (a cursor from an earlier page of the same list, or null for
    /// the first). The order is total (ties broken by id), so pages neither repeat nor skip an entry whose place did
    /// not change meanwhile; an entry that moved (new upvotes, a new status) is read again from the view or the push.
    /// </summary>
    public static async Task<RoomAnswer<ModerationPage<T>>> ModerationPageAsync<T>(this IQuerySession session, string viewer, string roomId,
        ModerationList list, string? after, int limit, CancellationToken ct = default)
    {
        var cursor = after is null ? null : Cursor.Parse(list, after);
        if (await LoadAsync(session, viewer, roomId, ct) is not { } loaded) return RoomAnswer<ModerationPage<T>>.NotShown(RoomUnseen.NoSuchRoom);
        var (_, me, participants, questions, upvotes) = loaded;
        if (StageOnly(me) is { } unseen) return RoomAnswer<ModerationPage<T>>.NotShown(unseen);
        var page = Page(list, Lists(questions, participants, viewer, upvotes)[list], cursor, limit);
        return RoomAnswer<ModerationPage<T>>.Shown(new ModerationPage<T>(page.Items.Select(e => (T)e.Value).ToList(), page.Next));
    }

    private static IReadOnlyList<QuestionItem> Questions(ListPage page) => page.Items.Select(e => (QuestionItem)e.Value).ToList();

    /// <summary>One entry of a list with its place in the list's order: rank (upvotes) down, then time, then id up.</summary>
    private sealed record Entry(object Value, int Rank, DateTimeOffset At, string Id)
    {
        public bool IsAfter(Cursor c) =>
            Rank < c.Rank || (Rank == c.Rank && (At > c.At || (At == c.At && string.CompareOrdinal(Id, c.Id) > 0)));
    }

    private sealed record ListPage(IReadOnlyList<Entry> Items, string? Next);

    private static ListPage Page(ModerationList list, IReadOnlyList<Entry> ordered, Cursor? after, int limit)
    {
        var rest = after is null ? ordered : ordered.Where(e => e.IsAfter(after)).ToList();
        var items = rest.Take(limit).ToList();
        return new ListPage(items, rest.Count > limit ? new Cursor(list, items[^1].Rank, items[^1].At, items[^1].Id).Format() : null);
    }

    private static Dictionary<ModerationList, IReadOnlyList<Entry>> Lists(IReadOnlyList<QuestionView> questions,
        IReadOnlyList<Participant> participants, string viewer, Votes votes)
    {
        var items = questions.Select(q => (View: q, Item: Item(q, viewer, votes))).ToList();
        IReadOnlyList<Entry> Ordered(IEnumerable<Entry> entries) =>
            entries.OrderByDescending(e => e.Rank).ThenBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
        IReadOnlyList<Entry> InStatus(QuestionStatus status) =>
            Ordered(items.Where(q => q.View.Status == status).Select(q => new Entry(q.Item, q.Item.Upvotes, q.Item.AskedAt, q.Item.QuestionId)));
        return new()
        {
            [ModerationList.Pending] = InStatus(QuestionStatus.Pending),
            [ModerationList.Approved] = InStatus(QuestionStatus.Approved),
            [ModerationList.Pinned] = Ordered(items.Where(q => q.View.Pinned).Select(q => new Entry(q.Item, 0, q.Item.AskedAt, q.Item.QuestionId))),
            [ModerationList.Answered] = InStatus(QuestionStatus.Answered),
            [ModerationList.Dismissed] = InStatus(QuestionStatus.Dismissed),
            [ModerationList.RaisedHands] = Ordered(participants.Where(p => p.IsListening && p.HandRaisedAt is not null)
                .Select(p => new Entry(new RaisedHand(p.UserId, p.HandRaisedAt!.Value), 0, p.HandRaisedAt!.Value, p.UserId))),
        };
    }

    /// <summary>Where a page ended, as an opaque token: the list, then the last entry's rank, time and id.</summary>
    private sealed record Cursor(ModerationList List, int Rank, DateTimeOffset At, string Id)
    {
        public string Format() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
                $"{List}|{Rank}|{At.UtcTicks}|{Id}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Cursor Parse(ModerationList list, string text)
        {
            try
            {
                var base64 = text.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
                var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|', 4);
                if (parts.Length == 4 && parts[0] == list.ToString()
                    && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rank)
                    && long.TryParse(parts[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ticks)
                    && ticks <= DateTimeOffset.MaxValue.UtcTicks && parts[3].Length > 0)
                    return new Cursor(list, rank, new DateTimeOffset(ticks, TimeSpan.Zero), parts[3]);
            }
            catch (FormatException)
            {
                // Falls through to the refusal below.
            }
            // A cursor this list never gave out (or one of another list) is bad input, not a missing page.
            throw new FluentValidation.ValidationException(
                [new FluentValidation.Results.ValidationFailure("after", "after must be a cursor from an earlier page of the same list.")]);
        }
    }

    /// <summary>What every view of a room reads, in one round trip; null when there is no such room.</summary>
    private static async Task<(RoomView, Participant?, IReadOnlyList<Participant>, IReadOnlyList<QuestionView>, Votes)?> LoadAsync(
        IQuerySession session, string viewer, string roomId, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var room = batch.Load<RoomView>(roomId);
        var me = batch.Load<Participant>(RoomStreams.ParticipantId(roomId, viewer));
        var participants = batch.Query<Participant>().Where(p => p.RoomId == roomId && p.Present).ToList();
        var questions = batch.Query<QuestionView>().Where(q => q.RoomId == roomId).ToList();
        var mine = batch.Query<Upvote>().Where(u => u.RoomId == roomId && u.UserId == viewer && u.Active).ToList();
        await batch.Execute(ct);
        if (await room is not { } view) return null;
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
        // A promotion from an anonymous question stored before such promotions were refused would point at its asker.
        votes.Counts.GetValueOrDefault(q.Id), votes.ByViewer.Contains(q.Id), q.AnsweredLive, q.TakenToStage && !q.Anonymous, q.DismissedReason,
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
