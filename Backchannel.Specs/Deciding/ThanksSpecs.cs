using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Thanks;
using Shouldly;
using static Backchannel.Specs.Deciding.Rooms;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Thank-you notes: linked to what they thank for, delivered like any message.</summary>
public sealed class ThanksSpecs
{
    private const string ConversationId = "t1";
    private static readonly SendThanks ForTheRoom = new(ConversationId, "dodi", "ayu", RoomId, null, "Thank you for the room!");
    private static readonly SendThanks ForTheEvent = ForTheRoom with { RoomId = null, EventId = EventId };

    private static IReadOnlyDictionary<string, Participant?> Were(params (string, Participant?)[] participants) =>
        participants.ToDictionary(p => p.Item1, p => p.Item2);

    [Fact]
    public void a_note_to_a_stranger_is_a_request_linked_to_the_room_opening_with_the_thanks() =>
        SendThanksHandler.Decide(ForTheRoom, "t1.1", UserProfile.Default("dodi"), UserProfile.Default("ayu"), Now).ConversationEvents.ShouldBe(
        [
            new ConversationStarted(ConversationId, ConversationKind.Direct, "dodi", RoomId, null, Now),
            new RequestSent(ConversationId, "dodi", "ayu", Now),
            new ThanksSent(ConversationId, "t1.1", 1, "dodi", "ayu", "Thank you for the room!", RoomId, null, Now),
        ]);

    [Fact]
    public void a_note_is_delivered_like_any_message_admitted_suppressed_or_refused()
    {
        var follower = Fold<UserProfile>([new UserFollowed("ayu", "dodi", Now)])!;
        SendThanksHandler.Decide(ForTheEvent, "t1.1", UserProfile.Default("dodi"), follower, Now).ConversationEvents[1]
            .ShouldBe(new RequestAdmittedAutomatically(ConversationId, "dodi", "ayu", AdmissionRules.RecipientFollowsSender, Now));
        var blocker = Fold<UserProfile>([new UserBlocked("ayu", "dodi", null, Now)])!;
        SendThanksHandler.Decide(ForTheEvent, "t1.1", UserProfile.Default("dodi"), blocker, Now).ConversationEvents[1]
            .ShouldBe(new RequestSuppressed(ConversationId, "dodi", "ayu", AdmissionRules.Blocked, Now));
        var closed = Fold<UserProfile>([new MessagePolicySet("ayu", MessagePolicy.Following, Now)])!;
        SendThanksHandler.Decide(ForTheEvent, "t1.1", UserProfile.Default("dodi"), closed, Now).RefusedBy.ShouldBe(["ayu"]);
    }

    [Fact]
    public void a_room_is_thanked_for_by_and_to_people_who_were_in_it()
    {
        Should.NotThrow(() => SendThanksHandler.RequireSharedOccasion(ForTheRoom, Ended(), Were(("dodi", Gone("dodi")), ("ayu", Moderator())), null));
        Should.Throw<RuleViolation>(() => SendThanksHandler.RequireSharedOccasion(ForTheRoom, Room(), Were(("dodi", null), ("ayu", Moderator())), null))
            .Code.ShouldBe("not_in_room");
        Should.Throw<RuleViolation>(() => SendThanksHandler.RequireSharedOccasion(ForTheRoom, Room(), Were(("dodi", Listener("dodi")), ("ayu", null)), null))
            .Code.ShouldBe("recipient_not_in_room");
        Should.Throw<RuleViolation>(() => SendThanksHandler.RequireSharedOccasion(ForTheRoom, null, Were(), null)).Code.ShouldBe("room_not_found");
    }

    [Fact]
    public void an_event_is_thanked_for_to_its_hosts()
    {
        Should.NotThrow(() => SendThanksHandler.RequireSharedOccasion(ForTheEvent, null, Were(), Event()));
        Should.NotThrow(() => SendThanksHandler.RequireSharedOccasion(ForTheEvent with { To = "budi" }, null, Were(), Event()));
        Should.Throw<RuleViolation>(() => SendThanksHandler.RequireSharedOccasion(ForTheEvent with { To = "cici" }, null, Were(), Event()))
            .Code.ShouldBe("recipient_not_a_host");
        Should.Throw<RuleViolation>(() => SendThanksHandler.RequireSharedOccasion(ForTheEvent, null, Were(), null)).Code.ShouldBe("event_not_found");
    }
}
