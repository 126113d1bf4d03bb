using Alba;
using Backchannel.Host.Http;
using Backchannel.Projections.Rooms;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// What keeps rooms bounded: the moderation view comes in pages with cursors (never cut silently), and rooms and
/// events are started at a limited pace per user (429 with Retry-After, nothing recorded of a refusal).
/// </summary>
public sealed class RoomLimitsSpecs(AppFixture app) : AppSpec(app)
{
    private static readonly string[] Listeners = ["budi", "cici", "dodi", "eka"];

    private static string Code(Microsoft.AspNetCore.Mvc.ProblemDetails problem) => problem.Extensions["code"]!.ToString()!;

    private async Task<long> EventCountAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().LongCountAsync();
    }

    /// <summary>
    /// Twelve pending questions asked at one moment, upvoted in ties (so only the id can order some of them), and
    /// three raised hands.
    /// </summary>
    private async Task<(string Room, IReadOnlyList<string> Questions)> BusyRoomAsync()
    {
        App.Clock.Set(DateTimeOffset.UtcNow.AddHours(-1));
        var room = (await As("ayu").StartRoom("Busy")).RoomId;
        foreach (var listener in Listeners) await As(listener).Join(room);
        var questions = new List<string>();
        for (var i = 0; i < 12; i++) questions.Add(await As(Listeners[i % 4]).Ask(room, $"Question {i}?"));
        for (var i = 0; i < 12; i++)
            foreach (var voter in Listeners.Take(i % 3))
                await As(voter).Post($"/rooms/{room}/questions/{questions[i]}/upvote");
        foreach (var listener in Listeners.Take(3)) await As(listener).Post($"/rooms/{room}/hand");
        return (room, questions);
    }

    [Fact]
    public async Task the_moderation_view_pages_each_list_with_a_cursor_in_a_stable_order_and_never_cuts_silently()
    {
        var (room, questions) = await BusyRoomAsync();

        var whole = await As("ayu").Get<ModerationView>($"/rooms/{room}/moderation?limit=200");
        whole.Pending.Count.ShouldBe(12);
        whole.Next.ShouldBe(new ModerationNext(null, null, null, null, null, null), "a list shown whole has no cursor");
        whole.Pending.Select(q => q.Upvotes).ShouldBeInOrder(SortDirection.Descending);

        var first = await As("ayu").Get<ModerationView>($"/rooms/{room}/moderation?limit=5");
        first.Pending.Select(q => q.QuestionId).ShouldBe(whole.Pending.Take(5).Select(q => q.QuestionId));
        var paged = first.Pending.Select(q => q.QuestionId).ToList();
        var next = first.Next.Pending.ShouldNotBeNull("more pending questions than the page: the view says where they go on");
        while (next is not null)
        {
            var page = await As("ayu").Get<ModerationPage<QuestionItem>>($"/rooms/{room}/moderation/pending?limit=5&after={next}");
            page.Items.Count.ShouldBeLessThanOrEqualTo(5);
            paged.AddRange(page.Items.Select(q => q.QuestionId));
            next = page.Next;
        }
        paged.ShouldBe(whole.Pending.Select(q => q.QuestionId), "pages neither repeat nor skip, ties included");
        paged.ShouldBe(questions.Order().ToList(), ignoreOrder: true);

        var two = await As("ayu").Get<ModerationView>($"/rooms/{room}/moderation?limit=2");
        two.RaisedHands.Select(h => h.UserId).ShouldBe(["budi", "cici"], "raised at one moment: in the order of their names");
        var hands = await As("ayu").Get<ModerationPage<RaisedHand>>($"/rooms/{room}/moderation/raised-hands?limit=2&after={two.Next.RaisedHands}");
        hands.ShouldSatisfyAllConditions(h => h.Items.Select(x => x.UserId).ShouldBe(["dodi"]), h => h.Next.ShouldBeNull());
        (await As("ayu").Get<ModerationView>($"/rooms/{room}/moderation")).Pending.Count.ShouldBe(12, "fifty unless told");
    }

    [Fact]
    public async Task a_page_size_or_a_cursor_out_of_bounds_is_400_naming_it_and_the_lists_are_for_the_stage_only()
    {
        var (room, _) = await BusyRoomAsync();
        var cursor = (await As("ayu").Get<ModerationView>($"/rooms/{room}/moderation?limit=1")).Next.Pending!;

        foreach (var (url, field) in new[]
        {
            ($"/rooms/{room}/moderation?limit=0", "limit"),
            ($"/rooms/{room}/moderation?limit=201", "limit"),
            ($"/rooms/{room}/moderation/pending?limit=-1", "limit"),
            ($"/rooms/{room}/moderation/pending?after=not-a-cursor", "after"),
            ($"/rooms/{room}/moderation/pending?after=%00", "after"),
            ($"/rooms/{room}/moderation/approved?after={cursor}", "after"),
            ($"/rooms/{room}/moderation/raised-hands?after={cursor}", "after"),
            ($"/rooms/{room}/moderation/everything", "list"),
        })
        {
            var problem = await As("ayu").Refused(c => c.Get(url, 400));
            problem.Extensions["errors"]!.ToString()!.ShouldContain($"\"{field}\"", customMessage: url);
        }
        Code(await As("cici").Refused(c => c.Get($"/rooms/{room}/moderation/pending?after={cursor}", 403))).ShouldBe("stage_only");
        Code(await As("fajar").Refused(c => c.Get($"/rooms/{room}/moderation/raised-hands", 403))).ShouldBe("not_in_room");
    }

    [Fact]
    public async Task starting_more_rooms_than_an_hour_allows_is_429_with_retry_after_warned_before_and_records_nothing()
    {
        // Whole seconds: PostgreSQL keeps microseconds, and a time rounded up would make the wait a second longer.
        App.Clock.Set(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds()));
        var started = new List<RoomCreated>();
        for (var i = 0; i < 10; i++)
        {
            started.Add((await (await As("ayu").Post("/rooms", new { title = $"Room {i}" }, 201)).ReadAsJsonAsync<RoomCreated>())!);
            App.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        started[6].Warning.ShouldBeNull();
        started[7].Warning.ShouldBe(new RateLimitWarning("rate_limit_rooms_per_hour", 2));

        var events = await EventCountAsync();
        for (var i = 0; i < 20; i++)
        {
            var refused = await As("ayu").Post("/rooms", new { title = "One more" }, 429);
            int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()).ShouldBe(50 * 60, "the first room leaves the window an hour after it");
            Code((await refused.ReadAsJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!).ShouldBe("rate_limit_rooms_per_hour");
        }
        (await EventCountAsync()).ShouldBe(events, "a refused room records nothing, so refusals cannot fill the store");
        await As("budi").Post("/rooms", new { title = "Someone else's" }, 201);

        App.Clock.Advance(TimeSpan.FromMinutes(50));
        await As("ayu").Post("/rooms", new { title = "An hour on" }, 201);
    }

    [Fact]
    public async Task rooms_started_at_once_are_counted_exactly()
    {
        var attempts = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Host.Scenario(s =>
        {
            s.Post.Json(new { title = $"At once {i}" }).ToUrl("/rooms");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor("ayu")}");
            s.IgnoreStatusCode();
        })));
        attempts.Select(a => a.Context.Response.StatusCode).Order().ShouldBe([.. Enumerable.Repeat(201, 10), .. Enumerable.Repeat(429, 6)]);
    }

    [Fact]
    public async Task scheduling_more_events_than_an_hour_allows_is_429_with_retry_after_and_records_nothing()
    {
        // Whole seconds: PostgreSQL keeps microseconds, and a time rounded up would make the wait a second longer.
        App.Clock.Set(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-2).ToUnixTimeSeconds()));
        var startsAt = DateTimeOffset.UtcNow.AddDays(3);
        for (var i = 0; i < 10; i++)
        {
            var created = (await (await As("ayu").Post("/events", new { title = $"Event {i}", startsAt, coHosts = Array.Empty<string>() }, 201))
                .ReadAsJsonAsync<EventCreated>())!;
            created.Warning.ShouldBe(i >= 7 ? new RateLimitWarning("rate_limit_events_per_hour", 9 - i) : null);
        }

        var events = await EventCountAsync();
        for (var i = 0; i < 20; i++)
        {
            var refused = await As("ayu").Post("/events", new { title = "One more", startsAt, coHosts = Array.Empty<string>() }, 429);
            int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()).ShouldBe(60 * 60);
            Code((await refused.ReadAsJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!).ShouldBe("rate_limit_events_per_hour");
        }
        (await EventCountAsync()).ShouldBe(events, "a refused event records nothing");
        await As("budi").Post("/events", new { title = "Someone else's", startsAt, coHosts = Array.Empty<string>() }, 201);
    }
}
