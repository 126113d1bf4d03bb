using Backchannel.Domain.Conversations;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Planning;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>Planning an event with co-hosts over HTTP, up to the room it becomes.</summary>
public sealed class EventFlowSpecs(AppFixture app) : AppSpec(app)
{
    private static readonly DateTimeOffset NextWeek = DateTimeOffset.UtcNow.AddDays(7);

    private static string Code(Microsoft.AspNetCore.Mvc.ProblemDetails problem) => problem.Extensions["code"]!.ToString()!;

    [Fact]
    public async Task hosts_plan_together_their_followers_see_it_coming_and_it_goes_live_as_a_room()
    {
        await As("budi").Follow("ayu");
        await As("cici").Follow("ayu");
        await As("eka").Follow("ayu");
        var planned = await As("ayu").ScheduleEvent("Morning pages live", NextWeek, "budi");

        var planning = (await As("budi").Inbox()).Single();
        (planning.ConversationId, planning.Kind, planning.Event!.EventId).ShouldBe((planned.PlanningConversationId, ConversationKind.Planning, planned.EventId));
        await As("ayu").Post($"/events/{planned.EventId}/cohosts", new { userId = "cici" });
        (await As("cici").Thread(planned.PlanningConversationId)).Members.Select(m => m.UserId).ShouldBe(["ayu", "budi", "cici"]);
        await As("ayu").Delete($"/events/{planned.EventId}/cohosts/cici");
        await As("cici").Get($"/conversations/{planned.PlanningConversationId}", 404);

        var later = NextWeek.AddDays(1);
        await As("budi").Post($"/events/{planned.EventId}/reschedule", new { startsAt = later });
        var upcoming = (await As("eka").Items<UpcomingEvent>("/events/upcoming")).Single();
        (upcoming.EventId, upcoming.StartsAt, upcoming.YouHost, upcoming.PlanningConversationId).ShouldBe((planned.EventId, later, false, null));
        (await As("dodi").Items<UpcomingEvent>("/events/upcoming")).ShouldBeEmpty("dodi follows none of the hosts");
        (await As("budi").Items<UpcomingEvent>("/events/upcoming")).Single().YouHost.ShouldBeTrue();

        var room = await As("budi").StartRoom("Morning pages live", eventId: planned.EventId);
        await As("ayu").Join(room.RoomId);
        (await As("ayu").Room(room.RoomId)).ShouldSatisfyAllConditions(
            r => r.YourRole.ShouldBe(RoomRole.Moderator, "the event's host is a moderator of its room"),
            r => r.Event!.EventId.ShouldBe(planned.EventId));
        (await As("eka").Get<UpcomingEvent>($"/events/{planned.EventId}")).RoomId.ShouldBe(room.RoomId);
        Code(await As("ayu").Refused(c => c.Post($"/events/{planned.EventId}/cancel", status: 409))).ShouldBe("event_already_live");
    }

    [Fact]
    public async Task only_hosts_change_an_event_and_a_cancelled_one_leaves_the_list()
    {
        await As("budi").Follow("ayu");
        await As("eka").Follow("ayu");
        var planned = await As("ayu").ScheduleEvent("Poetry", NextWeek, "budi");

        Code(await As("eka").Refused(c => c.Post($"/events/{planned.EventId}/reschedule", new { startsAt = NextWeek.AddDays(2) }, 403))).ShouldBe("hosts_only");
        Code(await As("budi").Refused(c => c.Post($"/events/{planned.EventId}/cancel", status: 403))).ShouldBe("host_only");
        Code(await As("budi").Refused(c => c.Post($"/events/{planned.EventId}/cohosts", new { userId = "eka" }, 403))).ShouldBe("host_only");
        Code(await As("ayu").Refused(c => c.Post("/events", new { title = "Lonely", startsAt = NextWeek, coHosts = new[] { "dodi" } }, 403)))
            .ShouldBe("co_host_must_follow_you");
        (await As("ayu").Refused(c => c.Post("/events", new { title = "Past", startsAt = DateTimeOffset.UtcNow.AddHours(-1) }, 400)))
            .Extensions["errors"]!.ToString()!.ShouldContain("startsAt");
        Code(await As("eka").Refused(c => c.Post("/rooms", new { title = "Hijack", eventId = planned.EventId }, 403))).ShouldBe("hosts_only");

        await As("ayu").Post($"/events/{planned.EventId}/cancel?reason=rain");
        (await As("eka").Items<UpcomingEvent>("/events/upcoming")).ShouldBeEmpty();
        Code(await As("ayu").Refused(c => c.Post("/rooms", new { title = "Anyway", eventId = planned.EventId }, 409))).ShouldBe("event_cancelled");
    }

    [Fact]
    public async Task a_host_is_thanked_for_an_event()
    {
        await As("budi").Follow("ayu");
        var planned = await As("ayu").ScheduleEvent("Poetry", NextWeek, "budi");

        await As("eka").Post("/thanks", new { to = "budi", eventId = planned.EventId, text = "Looking forward to it!" }, 201);

        (await As("budi").Requests()).Single().Context.Event!.EventId.ShouldBe(planned.EventId);
        Code(await As("eka").Refused(c => c.Post("/thanks", new { to = "dodi", eventId = planned.EventId, text = "hi" }, 409)))
            .ShouldBe("recipient_not_a_host");
    }
}
