using System.Net;
using Alba;
using Backchannel.Domain.Common;
using Backchannel.Host.Http;
using Backchannel.Projections.Audit;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>Rate limits (429 with Retry-After, recorded in the audit, warned of) and clearing the requests inbox.</summary>
public sealed class AbuseControlSpecs(AppFixture app) : AppSpec(app)
{
    private static readonly RateLimitSettings Limits = new();

    private static string Code(Microsoft.AspNetCore.Mvc.ProblemDetails problem) => problem.Extensions["code"]!.ToString()!;

    [Fact]
    public async Task starting_more_conversations_than_an_hour_allows_is_429_with_retry_after_warned_before_and_audited()
    {
        await As("ayu").Follow("zed");
        var warnings = new List<RateLimitWarning?>();
        for (var i = 0; i < Limits.RequestsPerHour; i++)
            warnings.Add((await (await As("ayu").Post("/conversations", new { to = new[] { $"user{i}" }, text = "hi" }, 201))
                .ReadAsJsonAsync<ConversationCreated>())!.Warning);

        var refused = await As("ayu").Post("/conversations", new { to = new[] { "late" }, text = "hi" }, 429);

        warnings.Take(15).ShouldAllBe(w => w == null);
        warnings.Last().ShouldBe(new RateLimitWarning(RateLimitSettings.RequestsPerHourRule, 0));
        var retryAfter = int.Parse(refused.Context.Response.Headers.RetryAfter.ToString());
        retryAfter.ShouldBeInRange(3_500, 3_600);
        Code((await refused.ReadAsJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!).ShouldBe(RateLimitSettings.RequestsPerHourRule);
        (await As("late").Requests()).ShouldBeEmpty("a refused request reaches nobody");

        await AsyncViewsCaughtUp();
        var audit = await As("ayu").Items<RequestAuditEntry>("/audit/requests");
        audit.Single(e => e.Recipient == "late").ShouldSatisfyAllConditions(
            e => e.Decision.ShouldBe("suppressed"), e => e.Actor.ShouldBe(RequestAuditEntry.SystemActor),
            e => e.Rule.ShouldBe(RateLimitSettings.RequestsPerHourRule));
    }

    [Fact]
    public async Task requests_sent_at_the_same_instant_are_counted_exactly_even_a_newcomers_first_ones()
    {
        var statuses = await Task.WhenAll(Enumerable.Range(0, Limits.RequestsPerHour + 5).Select(async i =>
        {
            var result = await Host.Scenario(s =>
            {
                s.Post.Json(new { to = new[] { $"user{i}" }, text = "hi" }).ToUrl("/conversations");
                s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor("newcomer")}");
                s.IgnoreStatusCode();
            });
            return result.Context.Response.StatusCode;
        }));

        statuses.Count(s => s == (int)HttpStatusCode.Created).ShouldBe(Limits.RequestsPerHour);
        statuses.Count(s => s == (int)HttpStatusCode.TooManyRequests).ShouldBe(5);
    }

    [Fact]
    public async Task a_requester_writing_to_strangers_faster_than_allowed_is_told_to_wait()
    {
        var chats = new List<string>();
        foreach (var stranger in new[] { "budi", "cici", "dodi" }) chats.Add(await As("ayu").StartConversation(stranger));
        await As("ayu").Say(chats[0], "are you there?");
        await As("ayu").Say(chats[1], "are you there?");

        var refused = await As("ayu").Post($"/conversations/{chats[2]}/messages", new { text = "hello??" }, 429);

        Limits.PendingMessagesPerMinute.ShouldBe(5, "three openings and two follow-ups fill the window");
        int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()).ShouldBeInRange(50, 60);
        await As("ayu").Post($"/conversations/{chats[2]}/messages", new { text = "hello???" }, 429);
        await As("ayu").Post($"/conversations/{chats[2]}/messages", new { text = "hello????" }, 429);
        await using (var session = Store.QuerySession())
            (await session.Events.QueryRawEventDataOnly<Backchannel.Domain.Requests.PendingMessageSuppressedByRateLimit>().CountAsync())
                .ShouldBe(1, "every refusal is answered, the first one recorded");
        (await As("dodi").Thread(chats[2])).Messages.Count.ShouldBe(1);
        await As("dodi").Say(chats[2], "here now");
        await As("ayu").Say(chats[2], "great"); // a conversation someone accepted is not paced
    }

    [Fact]
    public async Task a_listener_asking_too_fast_is_429_and_the_room_audit_says_so()
    {
        var room = await As("host").StartRoom();
        await As("cici").Join(room.RoomId);
        for (var i = 0; i < Limits.QuestionsPerMinutePerRoom; i++) await As("cici").Ask(room.RoomId, $"Question {i}?");

        var refused = await As("cici").Refused(c => c.Post($"/rooms/{room.RoomId}/questions", new { text = "One more?", anonymous = false }, 429));

        Code(refused).ShouldBe(RateLimitSettings.QuestionsPerMinuteRule);
        (await As("host").Moderation(room.RoomId)).Pending.Count.ShouldBe(Limits.QuestionsPerMinutePerRoom);
        await AsyncViewsCaughtUp();
        (await As("ops", isOperator: true).Items<RoomAuditEntry>($"/audit/rooms?roomId={room.RoomId}"))
            .Single(e => e.Action == "question_suppressed_by_rate_limit").Subject.ShouldBe("cici");
    }

    [Fact]
    public async Task declining_all_requests_clears_the_requests_inbox_and_each_sender_sees_nothing_change()
    {
        var chats = new List<string>();
        foreach (var sender in new[] { "ayu", "cici", "dodi" }) chats.Add(await As(sender).StartConversation("budi"));

        var cleared = (await (await As("budi").Post("/inbox/requests/decline-all", status: 200)).ReadAsJsonAsync<Backchannel.Domain.Requests.RequestsCleared>())!;

        cleared.ShouldBe(new Backchannel.Domain.Requests.RequestsCleared(3, 0));
        (await As("budi").Requests()).ShouldBeEmpty();
        (await As("ayu").Thread(chats[0])).Members.Single(m => m.UserId == "budi").Status.ShouldBe("invited");
        await AsyncViewsCaughtUp();
        (await As("budi").Items<RequestAuditEntry>("/audit/requests")).Count(e => e.Decision == "declined").ShouldBe(3);
        (await (await As("budi").Post("/inbox/requests/decline-all", status: 200)).ReadAsJsonAsync<Backchannel.Domain.Requests.RequestsCleared>())!
            .Declined.ShouldBe(0, "repeating it changes nothing");
    }

    [Fact]
    public async Task blocking_all_requesters_suppresses_their_next_requests()
    {
        await As("ayu").StartConversation("budi");
        await As("cici").StartConversation("budi");
        await As("cici").StartConversation("budi");

        var cleared = (await (await As("budi").Post("/inbox/requests/block-all", status: 200)).ReadAsJsonAsync<Backchannel.Domain.Requests.RequestsCleared>())!;

        cleared.ShouldBe(new Backchannel.Domain.Requests.RequestsCleared(3, 2));
        await As("ayu").StartConversation("budi");
        (await As("budi").Requests()).ShouldBeEmpty("a blocked requester's request is suppressed");
    }

    private async Task<IScenarioResult> Invite(string conversationId, IEnumerable<string> userIds, int status) =>
        await As("ayu").Post($"/conversations/{conversationId}/members", new { userIds = userIds.ToArray() }, status);

    [Fact]
    public async Task inviting_strangers_to_a_group_counts_each_against_the_requests_limit_warned_and_refused_like_a_request()
    {
        await As("budi").Follow("ayu");
        var group = (await As("ayu").StartConversation("hi", ["budi", "cici"])).ConversationId;
        await Invite(group, Enumerable.Range(1, 12).Select(i => $"wave1_{i}"), 204);
        foreach (var i in Enumerable.Range(1, 12)) await As("ayu").Delete($"/conversations/{group}/members/wave1_{i}");
        await Invite(group, ["wave2_1", "wave2_2"], 204);

        var warned = (await (await As("ayu").Post("/conversations", new { to = new[] { "dodi" }, text = "hi" }, 201)).ReadAsJsonAsync<ConversationCreated>())!;
        warned.Warning.ShouldBe(new RateLimitWarning(RateLimitSettings.RequestsPerHourRule, Limits.RequestsPerHour - 16));

        var refused = await Invite(group, Enumerable.Range(1, 5).Select(i => $"wave3_{i}"), 429);
        int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()).ShouldBeInRange(3_500, 3_600);
        Code((await refused.ReadAsJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!).ShouldBe(RateLimitSettings.RequestsPerHourRule);
        (await As("wave3_1").Requests()).ShouldBeEmpty("a refused invitation reaches nobody");
        await Invite(group, Enumerable.Range(1, 4).Select(i => $"wave4_{i}"), 204);
        await As("ayu").Post("/conversations", new { to = new[] { "eka" }, text = "hi" }, 429);
        await Invite(group, ["budi"], 204);

        await AsyncViewsCaughtUp();
        (await As("ayu").Items<RequestAuditEntry>("/audit/requests"))
            .Where(e => e.Rule == RateLimitSettings.RequestsPerHourRule).Select(e => e.Recipient)
            .ShouldBe(["wave3_1", "wave3_2", "wave3_3", "wave3_4", "wave3_5"], "the first refusal is recorded, for the requester");
    }

    [Fact]
    public async Task refusals_over_the_limit_are_all_answered_429_but_recorded_once_and_never_in_the_audit_of_whom_they_named()
    {
        for (var i = 0; i < Limits.RequestsPerHour; i++) await As("ayu").StartConversation($"user{i}");

        for (var i = 0; i < 30; i++) await As("ayu").Post("/conversations", new { to = new[] { "budi", "cici" }, text = "hi" }, 429);

        await using (var session = Store.QuerySession())
        {
            (await session.Events.QueryRawEventDataOnly<Backchannel.Domain.Requests.RequestSuppressedByRateLimit>().CountAsync())
                .ShouldBe(2, "one refusal recorded, one entry per whom it named");
        }
        await AsyncViewsCaughtUp();
        (await As("budi").Items<RequestAuditEntry>("/audit/requests")).ShouldBeEmpty("budi was never contacted");
        (await As("ayu").Items<RequestAuditEntry>("/audit/requests")).Count(e => e.Decision == "suppressed").ShouldBe(2);
    }
}
