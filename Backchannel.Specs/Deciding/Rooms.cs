using Backchannel.Domain.Conversations;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>
/// States that room, stage and question specs start from. "r1" is the room ayu started (its moderator); "stage-1" its
/// stage backchannel; "q1" a question cici asked in it; "e1" an event ayu hosts with budi as co-host.
/// </summary>
public static class Rooms
{
    public const string RoomId = "r1";
    public const string StageId = "stage-1";
    public const string QuestionId = "q1";
    public const string EventId = "e1";
    public const string PlanningId = "plan-1";

    public static RoomStarted Started(params string[] hosts) => new(RoomId, "Morning pages", "ayu", null, StageId, hosts, Now);

    public static Room Room(params object[] more) => Fold<Room>([Started(), .. more])!;

    public static Room Ended() => Room(new RoomEnded(RoomId, "ayu", Now));

    public static ParticipantJoined Joined(string userId, RoomRole role = RoomRole.Listener) => new(RoomId, userId, role, Now);

    public static Participant Moderator(string userId = "ayu") => Fold<Participant>([Joined(userId, RoomRole.Moderator)])!;

    public static Participant Listener(string userId, params object[] more) => Fold<Participant>([Joined(userId), .. more])!;

    public static Participant Speaker(string userId) =>
        Listener(userId, new PromotedToStage(RoomId, userId, "ayu", null, false, Now));

    public static Participant Gone(string userId) => Listener(userId, new ParticipantLeft(RoomId, userId, RoomRole.Listener, Now));

    public static HandRaised Hand(string userId) => new(RoomId, userId, Now);

    /// <summary>The stage backchannel with ayu and these speakers in it.</summary>
    public static Conversation Stage(params string[] speakers) => Fold<Conversation>(
    [
        new ConversationStarted(StageId, ConversationKind.Stage, "ayu", RoomId, null, Now),
        .. speakers.Select(s => new MemberJoinedByRole(StageId, s, MembershipRoles.Stage, Now)),
    ])!;

    public static QuestionAsked Asked(string by = "cici", bool anonymous = false, string room = RoomId) =>
        new(QuestionId, room, by, "How do you start?", anonymous, Now);

    public static Question Question(params object[] more) => Fold<Question>([Asked(), .. more])!;

    public static Question Approved() => Question(new QuestionApproved(QuestionId, RoomId, "ayu", Now));
    public static Question Dismissed() => Question(new QuestionDismissed(QuestionId, RoomId, "ayu", null, Now));
    public static Question Answered() => Question(new QuestionAnsweredLive(QuestionId, RoomId, "ayu", Now));

    public static EventScheduled Scheduled(params string[] coHosts) =>
        new(EventId, "Morning pages live", "ayu", Now.AddDays(7), coHosts, PlanningId, Now);

    public static PlannedEvent Event(params object[] more) => Fold<PlannedEvent>([Scheduled("budi"), .. more])!;

    public static Conversation Planning(params string[] coHosts) => Fold<Conversation>(
    [
        new ConversationStarted(PlanningId, ConversationKind.Planning, "ayu", null, EventId, Now),
        .. coHosts.Select(c => new MemberJoinedByRole(PlanningId, c, MembershipRoles.CoHost, Now)),
    ])!;
}
