using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;

namespace Backchannel.Specs.Support;

/// <summary>Fixed, deterministic histories of events, for projection and contract specs.</summary>
public static class History
{
    public const string ConversationId = "c-0001";
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    /// <summary>ayu asks budi (a stranger) and cici (who follows ayu) into a group; one message from ayu.</summary>
    public static object[] GroupRequest() =>
    [
        new ConversationStarted(ConversationId, ConversationKind.Group, "ayu", "room-7", null, At(0)),
        new RequestSent(ConversationId, "ayu", "budi", At(0)),
        new RequestAdmittedAutomatically(ConversationId, "ayu", "cici", AdmissionRules.RecipientFollowsSender, At(0)),
        new MessageSent(ConversationId, "m1", 1, "ayu", "Join us after the room?", null, At(0)),
    ];

    /// <summary><see cref="GroupRequest"/>, then a conversation with replies, an edit, a deletion, reactions and reads.</summary>
    public static object[] BusyGroup() =>
    [
        .. GroupRequest(),
        new MessageSent(ConversationId, "m2", 2, "cici", "Count me in", "m1", At(1)),
        new RequestAccepted(ConversationId, "ayu", "budi", ByReplying: true, At(2)),
        new MessageSent(ConversationId, "m3", 3, "budi", "Me too", null, At(2)),
        new MessageEdited(ConversationId, "m3", "budi", "Me too, after 8", At(3)),
        new ReactionAdded(ConversationId, "m1", "cici", "🔥", At(4)),
        new ReactionAdded(ConversationId, "m1", "budi", "🔥", At(4)),
        new ReactionAdded(ConversationId, "m2", "ayu", "👍", At(5)),
        new ReactionWithdrawn(ConversationId, "m2", "ayu", "👍", At(6)),
        new MessageSent(ConversationId, "m4", 4, "ayu", "Typo, ignore", null, At(7)),
        new MessageDeleted(ConversationId, "m4", "ayu", At(8)),
        new MessagesRead(ConversationId, "cici", "m3", 3, At(9)),
        new GroupRenamed(ConversationId, "cici", "After the room", At(10)),
        new ConversationMuted(ConversationId, "budi", At(11)),
    ];

    public const string RoomId = "room-7";

    /// <summary>
    /// Room "room-7", where <see cref="GroupRequest"/> began, live: ayu moderates, budi speaks, cici and dodi and eka
    /// listen. cici's question is approved and pinned; dodi's anonymous one got a private answer; eka's was dismissed.
    /// Meanwhile ayu has an event next week with budi as co-host, and eka follows ayu. Stream by stream.
    /// </summary>
    public static IReadOnlyList<(string Stream, object[] Events)> LiveRoom() =>
    [
        (RoomId, [new RoomStarted(RoomId, "Morning pages", "ayu", null, "stage-7", [], At(-60))]),
        ("stage-7", [
            new ConversationStarted("stage-7", ConversationKind.Stage, "ayu", RoomId, null, At(-60)),
            new MemberJoinedByRole("stage-7", "budi", MembershipRoles.Stage, At(-50)),
        ]),
        ($"{RoomId}/ayu", [new ParticipantJoined(RoomId, "ayu", RoomRole.Moderator, At(-60))]),
        ($"{RoomId}/budi", [
            new ParticipantJoined(RoomId, "budi", RoomRole.Listener, At(-58)),
            new HandRaised(RoomId, "budi", At(-55)),
            new PromotedToStage(RoomId, "budi", "ayu", null, true, At(-50)),
        ]),
        ($"{RoomId}/cici", [new ParticipantJoined(RoomId, "cici", RoomRole.Listener, At(-57)), new HandRaised(RoomId, "cici", At(-20))]),
        ($"{RoomId}/dodi", [new ParticipantJoined(RoomId, "dodi", RoomRole.Listener, At(-56)), new HandRaised(RoomId, "dodi", At(-30))]),
        ($"{RoomId}/eka", [new ParticipantJoined(RoomId, "eka", RoomRole.Listener, At(-55))]),
        ("q-1", [
            new QuestionAsked("q-1", RoomId, "cici", "How do you start the day?", false, At(-45)),
            new QuestionApproved("q-1", RoomId, "budi", At(-40)),
            new QuestionPinned("q-1", RoomId, "ayu", At(-39)),
        ]),
        ("q-2", [
            new QuestionAsked("q-2", RoomId, "dodi", "Do you ever skip a day?", true, At(-44)),
            new QuestionAnswered("q-2", RoomId, "budi", "Every Sunday.", AnswerVisibility.Private, At(-35)),
        ]),
        ("q-3", [
            new QuestionAsked("q-3", RoomId, "eka", "Anyone selling pens?", false, At(-43)),
            new QuestionDismissed("q-3", RoomId, "ayu", "off topic", At(-42)),
        ]),
        ("q-4", [new QuestionAsked("q-4", RoomId, "cici", "Paper or screen?", false, At(-41))]),
        ("q-1/dodi", [new QuestionUpvoted("q-1", RoomId, "dodi", At(-44))]),
        ("q-1/eka", [new QuestionUpvoted("q-1", RoomId, "eka", At(-43))]),
        ("q-4/eka", [new QuestionUpvoted("q-4", RoomId, "eka", At(-40)), new UpvoteWithdrawn("q-4", RoomId, "eka", At(-39))]),
        ("event-1", [new EventScheduled("event-1", "Morning pages live", "ayu", T0.AddDays(7), ["budi"], "plan-1", At(-90))]),
        ("plan-1", [
            new ConversationStarted("plan-1", ConversationKind.Planning, "ayu", null, "event-1", At(-90)),
            new MemberJoinedByRole("plan-1", "budi", MembershipRoles.CoHost, At(-90)),
        ]),
        ("eka", [new UserFollowed("eka", "ayu", At(-100))]),
    ];
}
