using System.Text;
using Backchannel.Projections;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// Every list pages (docs/api.md#pages): <c>?limit=</c> up to <see cref="Paging.MaxLimit"/> (more is a 400 naming
/// <c>limit</c>, never a silent cut), a <c>next</c> cursor while something follows, and a walk of all pages reads every
/// entry once, in order. A cursor names a position, never whose list: forged or taken from someone else, it reads only
/// what the caller may read, and one that is not a cursor of that list is a 400 naming <c>after</c>.
/// </summary>
public sealed class PagingSpecs(AppFixture app) : AppSpec(app)
{
    private static async Task<List<T>> Walk<T>(Caller caller, string url, int limit, Action<Page<T>>? eachPage = null)
    {
        var all = new List<T>();
        string? after = null;
        for (var pages = 0; ; pages++)
        {
            pages.ShouldBeLessThan(100, "the walk ends");
            var separator = url.Contains('?') ? '&' : '?';
            var page = await caller.Get<Page<T>>($"{url}{separator}limit={limit}{(after is null ? "" : $"&after={after}")}");
            page.Items.Count.ShouldBeLessThanOrEqualTo(limit);
            eachPage?.Invoke(page);
            all.AddRange(page.Items);
            if (page.Next is null) return all;
            page.Items.Count.ShouldBe(limit, "only the last page is short");
            after = page.Next;
        }
    }

    private static string Forged(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task the_inbox_pages_through_more_conversations_than_a_page_each_once_newest_first()
    {
        // One frozen instant: every conversation ties on its last activity, so the order rests on the tie-break alone.
        App.Clock.Set(DateTimeOffset.UtcNow);
        var ayu = As("ayu");
        var started = new List<string>();
        for (var i = 0; i < 5; i++) started.Add(await ayu.StartConversation($"friend{i}"));
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        for (var i = 5; i < 7; i++) started.Add(await ayu.StartConversation($"friend{i}"));

        var walked = await Walk<InboxItem>(ayu, "/inbox", 3);

        walked.Select(i => i.ConversationId).ShouldBe(started, ignoreOrder: true);
        walked.Select(i => i.ConversationId).Distinct().Count().ShouldBe(7);
        walked.Select(i => i.LastActivityAt).ShouldBeInOrder(SortDirection.Descending);
        (await ayu.Get<Page<InboxItem>>("/inbox")).Next.ShouldBeNull("seven fit the default page");
    }

    [Fact]
    public async Task the_default_page_of_the_inbox_says_there_is_more_rather_than_cutting_silently()
    {
        var ayu = As("ayu");
        // Each pal starts one conversation with Ayu, who follows them, so it lands in her inbox at once, and no one
        // starts more than the requests limit allows in an hour.
        for (var i = 0; i < Paging.DefaultLimit + 1; i++)
        {
            await ayu.Follow($"pal{i}");
            await As($"pal{i}").StartConversation("ayu");
        }

        var first = await ayu.Get<Page<InboxItem>>("/inbox");
        first.Items.Count.ShouldBe(Paging.DefaultLimit);
        first.Next.ShouldNotBeNull();
        var rest = await ayu.Get<Page<InboxItem>>($"/inbox?after={first.Next}");
        rest.Items.ShouldHaveSingleItem().ConversationId.ShouldNotBeOneOf(first.Items.Select(i => i.ConversationId).ToArray());
        rest.Next.ShouldBeNull();
    }

    [Fact]
    public async Task the_requests_inbox_pages_through_every_request_once()
    {
        var senders = Enumerable.Range(0, 5).Select(i => $"stranger{i}").ToList();
        var opened = new List<string>();
        foreach (var sender in senders) opened.Add(await As(sender).StartConversation("budi"));

        var walked = await Walk<RequestItem>(As("budi"), "/inbox/requests", 2);

        walked.Select(r => r.ConversationId).ShouldBe(opened, ignoreOrder: true);
        walked.Select(r => r.From).Distinct().Count().ShouldBe(5);
    }

    [Fact]
    public async Task the_request_audit_pages_oldest_first_through_every_entry_an_operator_or_a_user_may_read()
    {
        for (var i = 0; i < 6; i++) await As($"asker{i}").StartConversation("budi");
        await As("cici").StartConversation("dodi");
        await AsyncViewsCaughtUp();

        var everything = await Walk<RequestAuditEntry>(As("ops", isOperator: true), "/audit/requests", 4);
        everything.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        everything.Select(e => e.Id).Distinct().Count().ShouldBe(everything.Count);
        await using (var session = Store.QuerySession())
            everything.Select(e => e.Id).ShouldBe((await session.RequestAuditAsync("ops", true, null, null, null)).Select(e => e.Id));

        var budis = await Walk<RequestAuditEntry>(As("budi"), "/audit/requests", 2);
        budis.Count.ShouldBe(6);
        budis.ShouldAllBe(e => e.Recipient == "budi");
    }

    [Fact]
    public async Task the_room_audit_pages_oldest_first_through_every_entry()
    {
        var room = await As("host").StartRoom("Paged room");
        for (var i = 0; i < 5; i++) await As($"guest{i}").Join(room.RoomId);
        for (var i = 0; i < 3; i++) await As($"guest{i}").Ask(room.RoomId, $"Question {i}?");
        await AsyncViewsCaughtUp();

        var ops = As("ops", isOperator: true);
        var walked = await Walk<RoomAuditEntry>(ops, $"/audit/rooms?roomId={room.RoomId}", 2);

        walked.Count.ShouldBeGreaterThan(2);
        walked.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        await using var session = Store.QuerySession();
        walked.Select(e => e.Id).ShouldBe((await session.RoomAuditAsync(room.RoomId, null, null, null, null)).Select(e => e.Id));
    }

    [Fact]
    public async Task the_upcoming_events_page_soonest_first_each_once_events_that_start_together_included()
    {
        var at = DateTimeOffset.UtcNow.AddDays(3);
        var hosts = Enumerable.Range(0, 5).Select(i => $"planner{i}").ToList();
        foreach (var host in hosts) await As("fan").Follow(host);
        var planned = new List<string>();
        // Three start at the same instant: their order rests on the tie-break alone.
        for (var i = 0; i < 5; i++)
        {
            var created = await As(hosts[i]).Post("/events", new { title = $"Event {i}", startsAt = i < 3 ? at : at.AddHours(i) }, 201);
            planned.Add((await created.ReadAsJsonAsync<Backchannel.Host.Http.EventCreated>())!.EventId);
        }

        var walked = await Walk<Backchannel.Projections.Planning.UpcomingEvent>(As("fan"), "/events/upcoming", 2);

        walked.Select(e => e.EventId).ShouldBe(planned, ignoreOrder: true);
        walked.Select(e => e.EventId).Distinct().Count().ShouldBe(5);
        walked.Select(e => e.StartsAt).ShouldBeInOrder(SortDirection.Ascending);
        (await As("fan").Get<Page<Backchannel.Projections.Planning.UpcomingEvent>>("/events/upcoming")).Next.ShouldBeNull();
    }

    [Fact]
    public async Task the_moderation_audit_pages_oldest_first_through_every_decision()
    {
        var ops = As("ops", isOperator: true);
        for (var i = 0; i < 3; i++)
        {
            await ops.Put($"/users/spammer{i}/suspension", new { until = DateTimeOffset.UtcNow.AddDays(1), reason = "spam" });
            await ops.Delete($"/users/spammer{i}/suspension");
        }
        await AsyncViewsCaughtUp();

        var walked = await Walk<Backchannel.Projections.Safety.ModerationAuditEntry>(ops, "/audit/moderation", 4);

        walked.Count.ShouldBe(6);
        walked.Select(e => e.Sequence).ShouldBeInOrder(SortDirection.Ascending);
        walked.Select(e => e.Sequence).Distinct().Count().ShouldBe(6);
    }

    public static TheoryData<string> Lists() => ["/inbox", "/inbox/requests", "/audit/requests", "/audit/rooms", "/audit/moderation", "/events/upcoming", "/reports"];

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task a_limit_beyond_the_maximum_or_below_one_is_a_400_naming_limit(string list)
    {
        var ops = As("ops", isOperator: true);
        foreach (var limit in new[] { Paging.MaxLimit + 1, 0, -1 })
        {
            var problem = await ops.Refused(c => c.Get($"{list}?limit={limit}", 400));
            ((System.Text.Json.JsonElement)problem.Extensions["errors"]!).EnumerateObject().Select(e => e.Name).ShouldBe(["limit"]);
        }
        await ops.Get($"{list}?limit={Paging.MaxLimit}");
    }

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task a_cursor_that_is_garbage_or_of_another_list_is_a_400_naming_after(string list)
    {
        var ops = As("ops", isOperator: true);
        var otherList = Forged(list == "/inbox" ? "requests|2026-05-01T10:00:00.0000000+00:00|c-1" : "inbox|2026-05-01T10:00:00.0000000+00:00|c-1");
        foreach (var after in new[] { "garbage", "%00", Forged("inbox|not-a-time|c-1"), Forged("requestAudit|-5"), Forged("roomAudit|1|2"), Forged("upcomingEvents|not-a-time|e-1"), Forged("moderationAudit|x"), otherList })
        {
            var problem = await ops.Refused(c => c.Get($"{list}?after={after}", 400));
            ((System.Text.Json.JsonElement)problem.Extensions["errors"]!).EnumerateObject().Select(e => e.Name).ShouldBe(["after"]);
        }
    }

    [Fact]
    public async Task a_cursor_taken_from_someone_else_or_forged_reads_only_the_callers_own_list()
    {
        var ayu = As("ayu");
        for (var i = 0; i < 4; i++) await ayu.StartConversation($"mate{i}");
        var budisOwn = await As("budi").StartConversation("cici");
        var ayusCursor = (await ayu.Get<Page<InboxItem>>("/inbox?limit=1")).Next!;

        // Ayu's cursor names a place in an ordering, not Ayu's inbox: Budi reads his own conversations after that place.
        var budiWithAyusCursor = await As("budi").Get<Page<InboxItem>>($"/inbox?after={ayusCursor}");
        budiWithAyusCursor.Items.ShouldAllBe(i => i.ConversationId == budisOwn);

        var fromTheFuture = Forged($"inbox|{DateTimeOffset.UtcNow.AddYears(1):O}|zzz");
        (await As("budi").Get<Page<InboxItem>>($"/inbox?after={fromTheFuture}")).Items.Select(i => i.ConversationId).ShouldBe([budisOwn]);

        await AsyncViewsCaughtUp();
        var fromTheStart = Forged("requestAudit|0");
        var budisAudit = await As("budi").Get<Page<RequestAuditEntry>>($"/audit/requests?after={fromTheStart}");
        budisAudit.Items.ShouldNotBeEmpty();
        budisAudit.Items.ShouldAllBe(e => e.Requester == "budi" || e.Recipient == "budi");
    }
}
