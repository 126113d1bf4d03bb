using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using static Backchannel.Specs.Deciding.Rooms;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Scheduling events, their co-hosts, and the planning conversation that follows them.</summary>
public sealed class PlanningSpecs
{
    private static readonly UserProfile Ayu = UserProfile.Default("ayu");
    private static UserProfile Follower(string id) => Fold<UserProfile>([new UserFollowed(id, "ayu", Now)])!;
    private static readonly ScheduleEvent Schedule = new(EventId, PlanningId, "ayu", "Morning pages live", Now.AddDays(7), ["budi"]);
    private static readonly Throttle Allowed = new(RateLimitSettings.EventsPerHourRule, false, 9, TimeSpan.Zero, false);

    [Fact]
    public void the_host_and_co_hosts_get_a_planning_conversation_linked_to_the_event() =>
        WhenDeciding(() => ScheduleEventHandler.Decide(Schedule, Ayu, [Follower("budi")], Allowed, Now)).Then(
            Scheduled("budi"),
            new ConversationStarted(PlanningId, ConversationKind.Planning, "ayu", null, EventId, Now),
            new MemberJoinedByRole(PlanningId, "budi", MembershipRoles.CoHost, Now));

    [Fact]
    public void an_event_over_the_rate_limit_schedules_nothing_and_records_nothing() =>
        WhenDeciding(() => ScheduleEventHandler.Decide(Schedule, Ayu, [Follower("budi")],
            new Throttle(RateLimitSettings.EventsPerHourRule, true, 0, TimeSpan.FromMinutes(5), true), Now)).ThenNothingHappened();

    [Fact]
    public void nobody_is_made_co_host_by_someone_they_do_not_follow()
    {
        WhenDeciding(() => ScheduleEventHandler.Decide(Schedule, Ayu, [UserProfile.Default("budi")], Allowed, Now))
            .ThenFails(ViolationKind.Forbidden, "co_host_must_follow_you");
        WhenDeciding(() => CoHostsHandler.Decide(new AddCoHost(EventId, "ayu", "cici"), Event(), Planning("budi"), Ayu, UserProfile.Default("cici"), Settings, Now))
            .ThenFails(ViolationKind.Forbidden, "co_host_must_follow_you");
    }

    [Fact]
    public void the_host_adds_a_co_host_once_who_joins_the_planning_conversation()
    {
        WhenDeciding(() => CoHostsHandler.Decide(new AddCoHost(EventId, "ayu", "cici"), Event(), Planning("budi"), Ayu, Follower("cici"), Settings, Now))
            .Then(new CoHostAdded(EventId, "cici", "ayu", Now), new MemberJoinedByRole(PlanningId, "cici", MembershipRoles.CoHost, Now));
        WhenDeciding(() => CoHostsHandler.Decide(new AddCoHost(EventId, "ayu", "budi"), Event(), Planning("budi"), Ayu, Follower("budi"), Settings, Now))
            .ThenNothingHappened();
        WhenDeciding(() => CoHostsHandler.Decide(new AddCoHost(EventId, "budi", "cici"), Event(), Planning("budi"), Follower("budi"), Follower("cici"), Settings, Now))
            .ThenFails(ViolationKind.Forbidden, "host_only");
    }

    [Fact]
    public void an_event_has_at_most_the_group_limit_of_hosts()
    {
        var full = Event(Enumerable.Range(1, 13).Select(i => (object)new CoHostAdded(EventId, $"user{i}", "ayu", Now)).ToArray());
        WhenDeciding(() => CoHostsHandler.Decide(new AddCoHost(EventId, "ayu", "cici"), full, Planning("budi"), Ayu, Follower("cici"), Settings, Now))
            .ThenFails(ViolationKind.Conflict, "too_many_co_hosts");
    }

    [Fact]
    public void a_removed_co_host_leaves_the_planning_conversation()
    {
        WhenDeciding(() => CoHostsHandler.Decide(new RemoveCoHost(EventId, "ayu", "budi"), Event(), Planning("budi"), Now))
            .Then(new CoHostRemoved(EventId, "budi", "ayu", Now), new MemberLeftByRole(PlanningId, "budi", MembershipRoles.CoHost, Now));
        WhenDeciding(() => CoHostsHandler.Decide(new RemoveCoHost(EventId, "ayu", "cici"), Event(), Planning("budi"), Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_host_or_co_host_reschedules_an_upcoming_event()
    {
        WhenDeciding(() => ChangingEventsHandler.Decide(new RescheduleEvent(EventId, "budi", Now.AddDays(8)), Event(), Now))
            .Then(new EventRescheduled(EventId, Now.AddDays(8), Now.AddDays(7), "budi", Now));
        WhenDeciding(() => ChangingEventsHandler.Decide(new RescheduleEvent(EventId, "ayu", Now.AddDays(7)), Event(), Now)).ThenNothingHappened();
        WhenDeciding(() => ChangingEventsHandler.Decide(new RescheduleEvent(EventId, "cici", Now.AddDays(8)), Event(), Now))
            .ThenFails(ViolationKind.Forbidden, "hosts_only");
        WhenDeciding(() => ChangingEventsHandler.Decide(new RescheduleEvent(EventId, "ayu", Now.AddDays(8)), Event(new EventWentLive(EventId, RoomId, "ayu", Now)), Now))
            .ThenFails(ViolationKind.Conflict, "event_already_live");
        WhenDeciding(() => ChangingEventsHandler.Decide(new RescheduleEvent(EventId, "ayu", Now.AddDays(8)), null, Now))
            .ThenFails(ViolationKind.NotFound, "event_not_found");
    }

    [Fact]
    public void only_the_host_cancels_once_and_a_live_event_is_ended_not_cancelled()
    {
        var cancel = new CancelEvent(EventId, "ayu", "rain");
        WhenDeciding(() => ChangingEventsHandler.Decide(cancel, Event(), Now)).Then(new EventCancelled(EventId, "ayu", "rain", Now));
        WhenDeciding(() => ChangingEventsHandler.Decide(cancel, Event(new EventCancelled(EventId, "ayu", null, Now)), Now)).ThenNothingHappened();
        WhenDeciding(() => ChangingEventsHandler.Decide(cancel with { UserId = "budi" }, Event(), Now)).ThenFails(ViolationKind.Forbidden, "host_only");
        WhenDeciding(() => ChangingEventsHandler.Decide(cancel, Event(new EventWentLive(EventId, RoomId, "ayu", Now)), Now))
            .ThenFails(ViolationKind.Conflict, "event_already_live");
        WhenDeciding(() => CoHostsHandler.Decide(new AddCoHost(EventId, "ayu", "cici"), Event(new EventCancelled(EventId, "ayu", null, Now)),
            Planning("budi"), Ayu, Follower("cici"), Settings, Now)).ThenFails(ViolationKind.Conflict, "event_cancelled");
    }

    [Fact]
    public void co_hosts_leave_the_planning_conversation_only_by_losing_the_role() =>
        Conversations.Given([new ConversationStarted(PlanningId, ConversationKind.Planning, "ayu", null, EventId, Now),
                new MemberJoinedByRole(PlanningId, "budi", MembershipRoles.CoHost, Now)])
            .When(c => MembershipHandler.Decide(new LeaveConversation(PlanningId, "budi"), c, Now))
            .ThenFails(ViolationKind.Conflict, "membership_follows_role");
}
