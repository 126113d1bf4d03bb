using Backchannel.Domain.Common;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using JasperFx.Events;
using Marten;

namespace Backchannel.Projections.Push;

/// <summary>Who was on a room's stage (present moderators and speakers) as of the last event the push feed routed.</summary>
internal sealed class RoomAudience
{
    public string Id { get; set; } = "";
    public List<string> Stage { get; set; } = [];
}

/// <summary>
/// A change to a room's moderation view: <c>Change</c> is the event's stored name (<c>question_asked</c>,
/// <c>question_upvoted</c>, <c>hand_raised</c>, <c>promoted_to_stage</c>, ...). <c>UserId</c> is whom it concerns,
/// null for an anonymous asker and for voters (the view shows counts, not who voted).
/// </summary>
public sealed record ModerationChanged(string RoomId, string Change, string? QuestionId, string? UserId);

/// <summary>
/// Sends each change to a room's moderation view to the people on its stage at that moment (a promoted speaker from
/// their promotion on; someone moved back to the audience no longer). Keyed by room, across the room's streams
/// (participants, questions, upvotes), so the stage is folded in event order whichever stream an event comes from.
/// </summary>
internal sealed class RoomFeedSource : IFeedSource
{
    public const string ModerationKind = "moderation";

    public IReadOnlyCollection<Type> EventTypes { get; } = new HashSet<Type>
    {
        typeof(RoomStarted), typeof(RoomEnded), typeof(ParticipantJoined), typeof(ParticipantLeft), typeof(HandRaised), typeof(HandLowered),
        typeof(PromotedToStage), typeof(MovedToAudience), typeof(MadeModerator),
        typeof(QuestionAsked), typeof(QuestionApproved), typeof(QuestionDismissed), typeof(QuestionReopened), typeof(QuestionPinned),
        typeof(QuestionUnpinned), typeof(QuestionAnswered), typeof(QuestionAnsweredLive), typeof(QuestionTakenToStage),
        typeof(QuestionUpvoted), typeof(UpvoteWithdrawn),
    };

    public IReadOnlyCollection<Type> StateTypes { get; } = [typeof(RoomAudience)];

    public async Task RouteAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, FeedWriter feed, CancellationToken ct)
    {
        var roomIds = events.Select(e => RoomOf(e.Data)).Distinct().ToArray();
        var loaded = await operations.LoadManyAsync<RoomAudience>(ct, roomIds);
        var audiences = roomIds.ToDictionary(id => id, id => loaded.FirstOrDefault(a => a?.Id == id) ?? new RoomAudience { Id = id });
        var anonymous = await AnonymousQuestionsAsync(operations, events, ct);
        foreach (var e in events)
        {
            var audience = audiences[RoomOf(e.Data)];
            Follow(audience.Stage, e.Data);
            if (Change(e.Data, anonymous) is not { } change) continue;
            foreach (var member in audience.Stage) feed.Add(member, e, ModerationKind, e.Timestamp, change);
        }
        foreach (var audience in audiences.Values) operations.Store(audience);
    }

    /// <summary>The stage after the event: who joins it and who leaves it.</summary>
    private static void Follow(List<string> stage, object e)
    {
        switch (e)
        {
            // A room's first event begins its audience afresh (as ConversationStarted does a conversation's), so a
            // rebuild never starts from a stage left over from before; the starter is on it whichever of the start's
            // events the store numbered first.
            case RoomStarted started:
                stage.Clear();
                stage.Add(started.StartedBy);
                break;
            case ParticipantJoined { Role: RoomRole.Moderator } joined when !stage.Contains(joined.UserId): stage.Add(joined.UserId); break;
            case PromotedToStage promoted when !stage.Contains(promoted.UserId): stage.Add(promoted.UserId); break;
            case ParticipantLeft left: stage.Remove(left.UserId); break;
            case MovedToAudience moved: stage.Remove(moved.UserId); break;
        }
    }

    /// <summary>
    /// What the stage is told of the event, or nothing. A promotion from an anonymous question is refused today; one
    /// stored before that rule is still told without its question, and its question's taking to the stage not at all,
    /// so a rebuilt feed names no asker either.
    /// </summary>
    private static ModerationChanged? Change(object e, IReadOnlySet<string> anonymous)
    {
        var roomId = RoomOf(e);
        var change = EventNames.All[e.GetType()];
        return e switch
        {
            QuestionUpvoted x => new(roomId, change, x.QuestionId, null),
            UpvoteWithdrawn x => new(roomId, change, x.QuestionId, null),
            QuestionAsked x => new(roomId, change, x.QuestionId, x.Anonymous ? null : x.AskedBy),
            QuestionTakenToStage x when anonymous.Contains(x.QuestionId) => null,
            QuestionTakenToStage x => new(roomId, change, x.QuestionId, x.AskedBy),
            QuestionApproved or QuestionDismissed or QuestionReopened or QuestionPinned or QuestionUnpinned or QuestionAnswered
                or QuestionAnsweredLive => new(roomId, change, QuestionOf(e), null),
            PromotedToStage x => new(roomId, change, x.QuestionId is { } q && anonymous.Contains(q) ? null : x.QuestionId, x.UserId),
            RoomStarted or RoomEnded => new(roomId, change, null, null),
            _ => new(roomId, change, null, UserOf(e)),
        };
    }

    /// <summary>Anonymous questions among those a batch promotes from: their askers stay hidden there too.</summary>
    private static async Task<IReadOnlySet<string>> AnonymousQuestionsAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var taken = events.Select(e => e.Data switch
            {
                QuestionTakenToStage t => t.QuestionId,
                PromotedToStage p => p.QuestionId,
                _ => null,
            })
            .OfType<string>().Distinct().ToArray();
        if (taken.Length == 0) return new HashSet<string>();
        var questions = await operations.LoadManyAsync<Question>(ct, taken);
        return questions.Where(q => q is { Anonymous: true }).Select(q => q.Id).ToHashSet();
    }

    // Every event of a room's streams declares its room (IRoomEvent), and its question or its participant by its kind.
    private static string RoomOf(object e) => ((IRoomEvent)e).RoomId;
    private static string? QuestionOf(object e) => (e as IQuestionEvent)?.QuestionId;
    private static string? UserOf(object e) => (e as IParticipantEvent)?.UserId;
}
