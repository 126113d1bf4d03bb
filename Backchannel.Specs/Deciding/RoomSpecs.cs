using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Rooms;
using static Backchannel.Specs.Deciding.Rooms;
using Shouldly;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Starting, joining, leaving and ending rooms; raising hands.</summary>
public sealed class RoomSpecs
{
    private static readonly StartRoom Start = new(RoomId, StageId, "ayu", "Morning pages", null);
    private static readonly Throttle Allowed = new(RateLimitSettings.RoomsPerHourRule, false, 9, TimeSpan.Zero, false);

    [Fact]
    public void the_starter_is_the_rooms_first_moderator_and_the_first_member_of_its_stage() =>
        WhenDeciding(() => StartRoomHandler.Decide(Start, null, Allowed, Now)).Then(
            Started(),
            Joined("ayu", RoomRole.Moderator),
            new ConversationStarted(StageId, ConversationKind.Stage, "ayu", RoomId, null, Now));

    [Fact]
    public void a_room_from_an_event_makes_the_event_live_and_its_hosts_moderators_when_they_come()
    {
        var fromEvent = Start with { StartedBy = "budi", EventId = EventId };
        WhenDeciding(() => StartRoomHandler.Decide(fromEvent, Event(), Allowed, Now)).Then(
            new EventWentLive(EventId, RoomId, "budi", Now),
            new RoomStarted(RoomId, "Morning pages", "budi", EventId, StageId, ["ayu", "budi"], Now),
            Joined("budi", RoomRole.Moderator),
            new ConversationStarted(StageId, ConversationKind.Stage, "budi", RoomId, null, Now));
    }

    [Fact]
    public void only_a_host_starts_an_events_room_and_only_once_and_never_a_cancelled_one()
    {
        var fromEvent = Start with { StartedBy = "cici", EventId = EventId };
        WhenDeciding(() => StartRoomHandler.Decide(fromEvent, Event(), Allowed, Now)).ThenFails(ViolationKind.Forbidden, "hosts_only");
        WhenDeciding(() => StartRoomHandler.Decide(fromEvent with { StartedBy = "ayu" }, Event(new EventCancelled(EventId, "ayu", null, Now)), Allowed, Now))
            .ThenFails(ViolationKind.Conflict, "event_cancelled");
        WhenDeciding(() => StartRoomHandler.Decide(fromEvent with { StartedBy = "ayu" }, Event(new EventWentLive(EventId, "r0", "ayu", Now)), Allowed, Now))
            .ThenFails(ViolationKind.Conflict, "event_already_live");
        WhenDeciding(() => StartRoomHandler.Decide(fromEvent, null, Allowed, Now)).ThenFails(ViolationKind.NotFound, "event_not_found");
    }

    [Fact]
    public void a_room_over_the_rate_limit_opens_nothing_and_records_nothing()
    {
        var refused = new Throttle(RateLimitSettings.RoomsPerHourRule, true, 0, TimeSpan.FromMinutes(5), true);
        WhenDeciding(() => StartRoomHandler.Decide(Start, null, refused, Now)).ThenNothingHappened();
        WhenDeciding(() => StartRoomHandler.Decide(Start with { StartedBy = "cici", EventId = EventId }, Event(), refused, Now))
            .ThenFails(ViolationKind.Forbidden, "hosts_only");
    }

    [Fact]
    public void anyone_joins_a_live_room_as_a_listener_once()
    {
        WhenDeciding(() => PresenceHandler.Decide(new JoinRoom(RoomId, "cici"), Room(), null, null, Now)).Then(Joined("cici"));
        WhenDeciding(() => PresenceHandler.Decide(new JoinRoom(RoomId, "cici"), Room(), Listener("cici"), null, Now)).ThenNothingHappened();
        WhenDeciding(() => PresenceHandler.Decide(new JoinRoom(RoomId, "cici"), Room(), Gone("cici"), null, Now)).Then(Joined("cici"));
    }

    [Fact]
    public void a_host_of_the_rooms_event_comes_back_as_a_moderator_onto_the_stage()
    {
        var room = Fold<Room>([Started("ayu", "budi")])!;
        WhenDeciding(() => PresenceHandler.Decide(new JoinRoom(RoomId, "budi"), room, null, Stage(), Now)).Then(
            Joined("budi", RoomRole.Moderator),
            new MemberJoinedByRole(StageId, "budi", MembershipRoles.Stage, Now));
    }

    [Fact]
    public void nobody_joins_an_ended_room_or_one_that_does_not_exist()
    {
        WhenDeciding(() => PresenceHandler.Decide(new JoinRoom(RoomId, "cici"), Ended(), null, null, Now)).ThenFails(ViolationKind.Conflict, "room_ended");
        WhenDeciding(() => PresenceHandler.Decide(new JoinRoom(RoomId, "cici"), null, null, null, Now)).ThenFails(ViolationKind.NotFound, "room_not_found");
    }

    [Fact]
    public void a_speaker_who_leaves_the_room_leaves_the_stage_backchannel_with_it()
    {
        WhenDeciding(() => PresenceHandler.Decide(new LeaveRoom(RoomId, "cici"), Room(), Speaker("cici"), Stage("cici"), Now)).Then(
            new ParticipantLeft(RoomId, "cici", RoomRole.Speaker, Now),
            new MemberLeftByRole(StageId, "cici", MembershipRoles.Stage, Now));
        WhenDeciding(() => PresenceHandler.Decide(new LeaveRoom(RoomId, "dodi"), Room(), Listener("dodi"), null, Now))
            .Then(new ParticipantLeft(RoomId, "dodi", RoomRole.Listener, Now));
        WhenDeciding(() => PresenceHandler.Decide(new LeaveRoom(RoomId, "dodi"), Room(), Gone("dodi"), null, Now)).ThenNothingHappened();
    }

    [Fact]
    public void only_a_moderator_in_the_room_ends_it_and_ending_it_again_changes_nothing()
    {
        WhenDeciding(() => PresenceHandler.Decide(new EndRoom(RoomId, "ayu"), Room(), Moderator(), Now)).Then(new RoomEnded(RoomId, "ayu", Now));
        WhenDeciding(() => PresenceHandler.Decide(new EndRoom(RoomId, "cici"), Room(), Speaker("cici"), Now)).ThenFails(ViolationKind.Forbidden, "moderators_only");
        WhenDeciding(() => PresenceHandler.Decide(new EndRoom(RoomId, "dodi"), Room(), null, Now)).ThenFails(ViolationKind.Forbidden, "not_in_room");
        WhenDeciding(() => PresenceHandler.Decide(new EndRoom(RoomId, "ayu"), Ended(), Moderator(), Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_listener_raises_a_hand_once_and_people_on_the_stage_have_none_to_raise()
    {
        WhenDeciding(() => PresenceHandler.Decide(new RaiseHand(RoomId, "dodi"), Room(), Listener("dodi"), Now)).Then(Hand("dodi"));
        WhenDeciding(() => PresenceHandler.Decide(new RaiseHand(RoomId, "dodi"), Room(), Listener("dodi", Hand("dodi")), Now)).ThenNothingHappened();
        WhenDeciding(() => PresenceHandler.Decide(new RaiseHand(RoomId, "cici"), Room(), Speaker("cici"), Now)).ThenFails(ViolationKind.Forbidden, "listeners_only");
        WhenDeciding(() => PresenceHandler.Decide(new RaiseHand(RoomId, "dodi"), Ended(), Listener("dodi"), Now)).ThenFails(ViolationKind.Conflict, "room_ended");
        WhenDeciding(() => PresenceHandler.Decide(new LowerHand(RoomId, "dodi"), Room(), Listener("dodi", Hand("dodi")), Now))
            .Then(new HandLowered(RoomId, "dodi", Now));
        WhenDeciding(() => PresenceHandler.Decide(new LowerHand(RoomId, "dodi"), Room(), Listener("dodi"), Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_conversation_linked_to_a_room_is_between_people_present_in_it()
    {
        Should.NotThrow(() => RoomLinks.RequireAllPresent(Room(), "cici", Present(("cici", Listener("cici")), ("dodi", Listener("dodi")))));
        WhenDeciding(() => Refuse(() => RoomLinks.RequireAllPresent(Room(), "cici", Present(("cici", Listener("cici")), ("dodi", Gone("dodi"))))))
            .ThenFails(ViolationKind.Conflict, "recipient_not_in_room");
        WhenDeciding(() => Refuse(() => RoomLinks.RequireAllPresent(Room(), "cici", Present(("cici", null), ("dodi", Listener("dodi"))))))
            .ThenFails(ViolationKind.Forbidden, "not_in_room");
        WhenDeciding(() => Refuse(() => RoomLinks.RequireAllPresent(Ended(), "cici", Present(("cici", Listener("cici"))))))
            .ThenFails(ViolationKind.Conflict, "room_ended");
    }

    private static IReadOnlyDictionary<string, Participant?> Present(params (string, Participant?)[] participants) =>
        participants.ToDictionary(p => p.Item1, p => p.Item2);

    private static IReadOnlyList<object> Refuse(Action rule)
    {
        rule();
        return [];
    }
}
