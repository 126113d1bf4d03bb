using System.Text.Json;
using Alba;
using Backchannel.Domain.Common;
using Backchannel.Domain.Safety;
using Backchannel.Host.Http;
using Backchannel.Projections;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Push;
using Backchannel.Projections.Safety;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// Trust and safety end to end, by role: a user files a report, an operator reads the queue and decides (dismiss,
/// remove, suspend), the reported user and the others see the effect and nothing more; every rule broken on purpose.
/// </summary>
public sealed class TrustAndSafetySpecs(AppFixture app) : AppSpec(app)
{
    private const string Operator = "ops";

    private Caller Ops => As(Operator, isOperator: true);

    /// <summary>Tokens minted on the system's clock, for specs that move the host's clock on (the token check is not).</summary>
    private static readonly Backchannel.Host.Auth.TokenIssuer Tokens =
        new(new Backchannel.Host.Auth.AuthSettings { SigningKey = AppFixture.SigningKey }, TimeProvider.System);

    private Caller OnSystemTime(string userId, bool isOperator = false) => new(Host, Tokens.Mint(userId, isOperator));

    private static string Code(ProblemDetails problem) => problem.Extensions["code"]!.ToString()!;

    private static IReadOnlyList<string> Fields(ProblemDetails problem) =>
        ((JsonElement)problem.Extensions["errors"]!).EnumerateObject().Select(p => p.Name).ToList();

    private Task<Page<ReportQueueItem>> Queue(string query = "") => Ops.Get<Page<ReportQueueItem>>($"/reports{query}");

    /// <summary>ayu's group with cici and dodi (who follow her), budi added after ayu's first words.</summary>
    private async Task<string> GroupWithLateBudiAsync()
    {
        foreach (var follower in new[] { "budi", "cici", "dodi" }) await As(follower).Follow("ayu");
        var group = (await As("ayu").StartConversation("early words", ["cici", "dodi"])).ConversationId;
        await As("ayu").Post($"/conversations/{group}/members", new { userIds = new[] { "budi" } });
        return group;
    }

    [Fact]
    public async Task the_queue_shows_a_reported_message_as_its_reporter_saw_it_with_what_they_could_read_and_the_authors_open_reports()
    {
        var group = await GroupWithLateBudiAsync();
        await As("cici").Say(group, "hello everyone");
        var insult = await As("ayu").Say(group, "you are all idiots");
        await As("budi").Post($"/conversations/{group}/messages/{insult}/report", new { reason = "insult" });
        await As("ayu").Put($"/conversations/{group}/messages/{insult}", new { text = "sorry" });
        await As("cici").Post($"/conversations/{group}/messages/{insult}/report", new { reason = (string?)null });
        var request = await As("ayu").StartConversation("eko");
        await As("eko").Post($"/conversations/{request}/report", new { reason = "spam" });

        var page = await Queue();

        page.Next.ShouldBeNull();
        page.Items.Count.ShouldBe(2, "two reports of one message are one case");
        var message = page.Items.Single(i => i.Kind == ReportKind.Message);
        message.ShouldSatisfyAllConditions(
            m => m.ReportId.ShouldBe(ReportIds.ForMessage(group, insult)),
            m => m.Status.ShouldBe(ReportStatus.Open),
            m => m.ReportedUser.ShouldBe("ayu"),
            m => m.ReportedUserOpenReports.ShouldBe(3),
            m => m.Reports.Select(r => (r.Reporter, r.Reason, r.Open)).ShouldBe([("budi", "insult", true), ("cici", null, true)]),
            m => m.Reported.Single().Text.ShouldBe("you are all idiots", "as the reporter saw it, not as edited since"),
            m => m.Context.Select(c => c.Text).ShouldBe(["hello everyone", "you are all idiots"], "budi could not read what came before him"));
        var requested = page.Items.Single(i => i.Kind == ReportKind.Request);
        (requested.ReportedUser, requested.ReportedUserOpenReports, requested.Reported.Single().Text).ShouldBe(("ayu", 3, "hello"));
        requested.Reports.Single().Reporter.ShouldBe("eko");
    }

    [Fact]
    public async Task a_reported_request_shows_what_its_recipient_was_shown_and_nothing_held_back_from_them()
    {
        await As("cici").Follow("ayu");
        var request = (await As("ayu").StartConversation("one", ["budi", "cici"])).ConversationId;
        foreach (var text in new[] { "two", "three", "four, held back" }) await As("ayu").Say(request, text);
        (await As("budi").Thread(request)).Messages.Count.ShouldBe(3);

        await As("budi").Post($"/conversations/{request}/report", new { reason = "flooding" });

        var item = (await Queue()).Items.Single();
        item.Reported.Select(m => m.Text).ShouldBe(["one", "two", "three"]);
        item.Context.Select(m => m.Text).ShouldBe(["one", "two", "three"]);
    }

    [Fact]
    public async Task only_operators_read_the_queue_and_the_moderation_audit_or_decide()
    {
        var request = await As("ayu").StartConversation("budi");
        await As("budi").Post($"/conversations/{request}/report", new { reason = "spam" });
        var id = (await Queue()).Items.Single().ReportId;

        foreach (var role in new[] { "budi", "ayu", "zed" })
        {
            Code(await As(role).Refused(c => c.Get("/reports", 403))).ShouldBe("operators_only");
            Code(await As(role).Refused(c => c.Get("/audit/moderation", 403))).ShouldBe("operators_only");
            Code(await As(role).Refused(c => c.Post($"/reports/{id}/dismiss", new { reason = "fine" }, 403))).ShouldBe("operators_only");
            Code(await As(role).Refused(c => c.Post($"/reports/{id}/remove", new { reason = "gone" }, 403))).ShouldBe("operators_only");
            Code(await As(role).Refused(c => c.Put("/users/ayu/suspension", new { until = (DateTimeOffset?)null, reason = "spam" }, 403))).ShouldBe("operators_only");
            Code(await As(role).Refused(c => c.Delete("/users/ayu/suspension", 403))).ShouldBe("operators_only");
        }
        (await Queue()).Items.Single().Status.ShouldBe(ReportStatus.Open);
        await As("ayu").Say(request, "still writing");
    }

    [Fact]
    public async Task the_queue_is_paged_by_its_cursor_each_case_once_and_bad_paging_is_400_naming_the_field()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        foreach (var n in Enumerable.Range(1, 5))
        {
            var message = await As("ayu").Say(chat, $"message {n}");
            await As("budi").Post($"/conversations/{chat}/messages/{message}/report", new { reason = "spam" });
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Queue($"?status=open&limit=2{(cursor is null ? "" : $"&after={cursor}")}");
            page.Items.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(page.Items.Select(i => i.Reported.Single().Text!));
            cursor = page.Next;
            pages++;
        } while (cursor is not null);

        pages.ShouldBe(3);
        seen.ShouldBe(Enumerable.Range(1, 5).Select(n => $"message {n}").ToList(), "oldest first, each once");
        (await Queue("?status=resolved")).Items.ShouldBeEmpty();

        foreach (var (query, field) in new[] { ("?status=closed", "status"), ("?limit=0", "limit"), ($"?limit={Paging.MaxLimit + 1}", "limit"),
                     ("?after=abc", "after"), ("?limit=many", "limit") })
            Fields(await Ops.Refused(c => c.Get($"/reports{query}", 400))).ShouldBe([field], query);
        var ofOpenCases = (await Queue("?status=open&limit=2")).Next!;
        Fields(await Ops.Refused(c => c.Get($"/reports?status=resolved&after={ofOpenCases}", 400))).ShouldBe(["after"], "a cursor pages only its own list");
    }

    [Fact]
    public async Task dismissing_resolves_the_case_on_record_with_the_operator_and_reason_once_and_needs_a_reason()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        var message = await As("ayu").Say(chat, "borderline");
        await As("budi").Post($"/conversations/{chat}/messages/{message}/report", new { reason = "rude" });
        var id = (await Queue()).Items.Single().ReportId;

        Fields(await Ops.Refused(c => c.Post($"/reports/{id}/dismiss", new { reason = " " }, 400))).ShouldBe(["reason"]);
        Fields(await Ops.Refused(c => c.Post($"/reports/{id}/dismiss", new { }, 400))).ShouldBe(["reason"]);
        Fields(await Ops.Refused(c => c.Post("/reports/not%0Aan-id/dismiss", new { reason = "x" }, 400))).ShouldBe(["id"]);
        Code(await Ops.Refused(c => c.Post("/reports/rpt-none/dismiss", new { reason = "x" }, 404))).ShouldBe("report_not_found");

        await Ops.Post($"/reports/{id}/dismiss", new { reason = "not against the rules" });

        (await Queue()).Items.ShouldBeEmpty();
        var resolved = (await Queue("?status=resolved")).Items.Single();
        resolved.Decisions.Select(d => (d.Action, d.Operator, d.Reason)).ShouldBe([("dismissed", Operator, "not against the rules")]);
        resolved.Reports.ShouldAllBe(r => !r.Open);
        resolved.ReportedUserOpenReports.ShouldBe(0);
        Code(await Ops.Refused(c => c.Post($"/reports/{id}/dismiss", new { reason = "again" }, 409))).ShouldBe("report_resolved");
        Code(await Ops.Refused(c => c.Post($"/reports/{id}/remove", new { reason = "changed my mind" }, 409))).ShouldBe("report_resolved");
        (await As("ayu").Thread(chat)).Messages.Single(m => m.Id == message).Text.ShouldBe("borderline");

        await AsyncViewsCaughtUp();
        var audit = await Ops.Items<ModerationAuditEntry>("/audit/moderation?userId=ayu");
        audit.Single().ShouldSatisfyAllConditions(
            e => e.Action.ShouldBe("report_dismissed"), e => e.Actor.ShouldBe(Operator), e => e.Subject.ShouldBe("ayu"),
            e => e.Reason.ShouldBe("not against the rules"), e => e.ReportId.ShouldBe(id));
        await using var session = Store.QuerySession();
        using var export = new MemoryStream();
        (await session.WriteJsonLinesAsync(export, AuditLog.Moderation)).ShouldBe(1);
        System.Text.Encoding.UTF8.GetString(export.ToArray()).ShouldContain("\"action\":\"report_dismissed\"");
    }

    [Fact]
    public async Task removing_a_message_takes_its_text_from_every_view_every_version_and_the_push_feed()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        var spam = await As("ayu").Say(chat, "buy pills at pills.example");
        await As("ayu").Put($"/conversations/{chat}/messages/{spam}", new { text = "buy more pills" });
        await As("ayu").Post($"/conversations/{chat}/messages/{spam}/reactions", new { emoji = "🔥" });
        await AsyncViewsCaughtUp();
        await As("budi").Post($"/conversations/{chat}/messages/{spam}/report", new { reason = "spam" });
        var id = (await Queue()).Items.Single().ReportId;

        await Ops.Post($"/reports/{id}/remove", new { reason = "spam, removed by trust and safety" });

        foreach (var member in new[] { "ayu", "budi" })
        {
            var thread = await As(member).Thread(chat);
            var removed = thread.Messages.Single(m => m.Id == spam);
            (removed.Text, removed.Deleted, removed.RemovedByModeration, removed.Reactions.Count).ShouldBe((null, true, true, 0));
            for (var version = 1; version <= thread.Version; version++)
                (await As(member).Get($"/conversations/{chat}?asOfVersion={version}")).ReadAsText().ShouldNotContain("pills");
            (await As(member).Get("/inbox")).ReadAsText().ShouldNotContain("pills");
        }
        Code(await As("ayu").Refused(c => c.Put($"/conversations/{chat}/messages/{spam}", new { text = "pills again" }, 409))).ShouldBe("message_deleted");
        Code(await Ops.Refused(c => c.Post($"/reports/{id}/remove", new { reason = "twice" }, 409))).ShouldBe("report_resolved");

        await AsyncViewsCaughtUp();
        await using var session = Store.QuerySession();
        var feed = await session.Query<FeedItem>().Where(f => f.StreamKey == chat).ToListAsync();
        feed.ShouldNotBeEmpty();
        feed.ShouldAllBe(f => !f.Data.GetRawText().Contains("pills"));
        var told = feed.Where(f => f.Kind == "message_removed_by_moderation").ToList();
        told.SelectMany(f => f.Recipients).Order().ShouldBe(["ayu", "budi"]);
        told.Count.ShouldBe(1, "one item tells every member");
        told.ShouldAllBe(f => !f.Data.GetRawText().Contains(Operator) && !f.Data.GetRawText().Contains("trust and safety"),
            "members learn which message went, not who removed it or why");
        await using var stream = await Listen("budi", "0");
        for (var i = 0; i < feed.Count(f => f.Recipients.Contains("budi")); i++) (await stream.NextAsync()).Data.GetRawText().ShouldNotContain("pills");

        var audit = await Ops.Items<ModerationAuditEntry>("/audit/moderation");
        audit.Single().ShouldSatisfyAllConditions(e => e.Action.ShouldBe("message_removed_by_moderation"), e => e.MessageId.ShouldBe(spam),
            e => e.Actor.ShouldBe(Operator), e => e.Subject.ShouldBe("ayu"));
    }

    /// <summary>Route values and bodies that pass validation, so that the status says only whether the suspension stops it.</summary>
    private static (string Url, object? Body) WellFormed(string method, string pattern)
    {
        var url = pattern.Replace("{id}", "x-1").Replace("{messageId}", "m-1").Replace("{questionId}", "q-1").Replace("{userId}", "zed")
            .Replace("{emoji}", Uri.EscapeDataString("🔥"));
        object? body = (method, pattern) switch
        {
            ("PUT", "/me/policy") => new { policy = "everyone" },
            ("POST", "/conversations") => new { to = new[] { "zed" }, text = "hi" },
            ("POST", "/rooms") => new { title = "A room" },
            ("POST", "/events") => new { title = "An event", startsAt = DateTimeOffset.UtcNow.AddDays(1), coHosts = Array.Empty<string>() },
            ("POST", "/conversations/{id}/messages") => new { text = "hello" },
            ("PUT", "/conversations/{id}/messages/{messageId}") => new { text = "edited" },
            ("POST", "/conversations/{id}/messages/{messageId}/reactions") => new { emoji = "🔥" },
            ("POST", "/conversations/{id}/report") or ("POST", "/conversations/{id}/messages/{messageId}/report") => new { reason = "spam" },
            ("POST", "/conversations/{id}/read") => new { upToMessageId = "m-1" },
            ("PUT", "/conversations/{id}/title") => new { title = "Renamed" },
            ("POST", "/conversations/{id}/members") => new { userIds = new[] { "zed" } },
            ("POST", "/rooms/{id}/stage") or ("POST", "/rooms/{id}/moderators") or ("POST", "/events/{id}/cohosts") => new { userId = "zed" },
            ("POST", "/rooms/{id}/questions") => new { text = "A question?", anonymous = false },
            ("POST", "/rooms/{id}/questions/{questionId}/answer") => new { text = "An answer.", visibility = "public" },
            ("POST", "/thanks") => new { to = "zed", roomId = "x-1", text = "Thank you!" },
            ("POST", "/events/{id}/reschedule") => new { startsAt = DateTimeOffset.UtcNow.AddDays(3) },
            _ => null,
        };
        return (url, body);
    }

    /// <summary>Routes that are not a user's writing: an operator's, and Development's token minting.</summary>
    private static readonly string[] NotUsersWrites =
        ["POST /reports/{id}/dismiss", "POST /reports/{id}/remove", "PUT /users/{userId}/suspension", "DELETE /users/{userId}/suspension",
            "POST /users/{userId}/erasure", "POST /dev/tokens"];

    /// <summary>
    /// What a suspension does not take away: a ticket to read one's own push stream (reading, over a POST), and the
    /// right to be erased (the moderation record keeps what operators need without the user's words).
    /// </summary>
    private static readonly string[] KeptWhileSuspended = ["POST /push/tickets", "DELETE /me"];

    [Fact]
    public async Task a_suspended_user_reads_but_every_write_route_the_app_maps_is_403_suspended_with_its_end_and_appends_nothing()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        var until = DateTimeOffset.UtcNow.AddDays(3);
        await Ops.Put("/users/ayu/suspension", new { until, reason = "harassment" });
        int events;
        await using (var session = Store.QuerySession()) events = await session.Events.QueryAllRawEvents().CountAsync();

        var writes = Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => r.Method != "GET" && !NotUsersWrites.Contains($"{r.Method} {r.Pattern}") && !KeptWhileSuspended.Contains($"{r.Method} {r.Pattern}"))
            .Distinct().ToList();
        writes.Count.ShouldBeGreaterThanOrEqualTo(50);
        var failures = new List<string>();
        foreach (var (method, pattern) in writes)
        {
            var (url, body) = WellFormed(method, pattern);
            var result = await Host.Scenario(s =>
            {
                _ = method switch
                {
                    "DELETE" => s.Delete.Url(url),
                    "PUT" => s.Put.Json(body ?? new { }).ToUrl(url),
                    _ => body is null ? s.Post.Url(url) : s.Post.Json(body).ToUrl(url),
                };
                s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor("ayu")}");
                s.IgnoreStatusCode();
            });
            var text = await result.ReadAsTextAsync();
            if (result.Context.Response.StatusCode != 403 || !text.Contains("\"code\":\"suspended\"") || !text.Contains("\"suspendedUntil\""))
                failures.Add($"{method} {pattern}: {result.Context.Response.StatusCode} {text}");
        }
        failures.ShouldBeEmpty();

        await using (var session = Store.QuerySession()) (await session.Events.QueryAllRawEvents().CountAsync()).ShouldBe(events);
        var problem = await As("ayu").Refused(c => c.Post($"/conversations/{chat}/messages", new { text = "let me talk" }, 403));
        DateTimeOffset.Parse(problem.Extensions[SuspensionGuard.UntilExtension]!.ToString()!).ShouldBe(until, TimeSpan.FromMilliseconds(1));
        problem.Detail!.ShouldNotContain("harassment", Case.Insensitive, "the operator's reason is theirs");
        (await As("ayu").Thread(chat)).Messages.Count.ShouldBe(1);
        (await As("ayu").Inbox()).Count.ShouldBe(1);
        Fields(await As("ayu").Refused(c => c.Post($"/conversations/{chat}/messages", new { text = "" }, 400))).ShouldBe(["text"]);

        await As("ayu").Post("/push/tickets", status: 201);
        await As("ayu").Delete("/me", 200);
        await AsyncViewsCaughtUp();
        (await Ops.Items<ModerationAuditEntry>("/audit/moderation?userId=ayu")).Select(e => (e.Action, e.Until.HasValue))
            .ShouldBe([("user_suspended", true)], "erasure keeps the operator's record of the suspension");
    }

    [Fact]
    public async Task a_suspension_until_lifted_says_no_end_and_lifting_it_lets_the_user_write_again()
    {
        var chat = await As("ayu").StartConversation("budi");
        await Ops.Put("/users/ayu/suspension", new { until = (DateTimeOffset?)null, reason = "spam account" });

        var problem = await As("ayu").Refused(c => c.Post($"/conversations/{chat}/messages", new { text = "hi?" }, 403));
        (Code(problem), problem.Extensions.ContainsKey(SuspensionGuard.UntilExtension)).ShouldBe(("suspended", false));

        await Ops.Delete("/users/ayu/suspension");
        await As("ayu").Say(chat, "back");
        await Ops.Delete("/users/ayu/suspension");
        await AsyncViewsCaughtUp();
        (await Ops.Items<ModerationAuditEntry>("/audit/moderation?userId=ayu")).Select(e => (e.Action, e.Actor, e.Until, e.Reason))
            .ShouldBe([("user_suspended", Operator, null, "spam account"), ("suspension_lifted", Operator, null, null)]);
    }

    [Fact]
    public async Task a_suspended_users_pending_requests_leave_the_inboxes_and_are_back_when_lifted_or_ended()
    {
        App.Clock.Set(DateTimeOffset.UtcNow);
        await As("cici").Follow("ayu");
        var request = await As("ayu").StartConversation("budi");
        var other = await As("eko").StartConversation("budi");
        var chat = await As("ayu").StartConversation("cici");
        (await As("budi").Requests()).Count.ShouldBe(2);

        await Ops.Put("/users/ayu/suspension", new { until = App.Clock.GetUtcNow().AddHours(1), reason = "spam" });

        (await As("budi").Requests()).Select(r => r.ConversationId).ShouldBe([other]);
        (await (await As("budi").Post("/inbox/requests/decline-all", status: 200)).ReadAsJsonAsync<Backchannel.Domain.Requests.RequestsCleared>())!
            .Declined.ShouldBe(1, "what is hidden is not declined with the rest");
        (await As("cici").Inbox()).Single().ConversationId.ShouldBe(chat, "a conversation someone is already in stays");
        await Ops.Delete("/users/ayu/suspension");
        (await As("budi").Requests()).Single().ConversationId.ShouldBe(request);

        await Ops.Put("/users/ayu/suspension", new { until = App.Clock.GetUtcNow().AddHours(1), reason = "spam again" });
        (await As("budi").Requests()).ShouldBeEmpty();
        App.Clock.Advance(TimeSpan.FromHours(1));
        (await OnSystemTime("budi").Requests()).Single().ConversationId.ShouldBe(request, "a suspension ends by itself at its end");
        await OnSystemTime("ayu").Say(request, "sorry about that");
    }

    [Fact]
    public async Task a_suspension_needs_a_reason_an_end_ahead_and_someone_other_than_the_operator()
    {
        Fields(await Ops.Refused(c => c.Put("/users/ayu/suspension", new { until = DateTimeOffset.UtcNow.AddMinutes(-1), reason = "spam" }, 400))).ShouldBe(["until"]);
        Fields(await Ops.Refused(c => c.Put("/users/ayu/suspension", new { until = "tomorrow", reason = "spam" }, 400))).ShouldBe(["until"]);
        Fields(await Ops.Refused(c => c.Put("/users/ayu/suspension", new { until = (DateTimeOffset?)null }, 400))).ShouldBe(["reason"]);
        Fields(await Ops.Refused(c => c.Put($"/users/{Operator}/suspension", new { until = (DateTimeOffset?)null, reason = "test" }, 400))).ShouldBe(["userId"]);
        Fields(await Ops.Refused(c => c.Put("/users/Not-A-Handle/suspension", new { until = (DateTimeOffset?)null, reason = "x" }, 400))).ShouldBe(["userId"]);
        Fields(await Ops.Refused(c => c.Delete("/users/Not-A-Handle/suspension", 400))).ShouldBe(["userId"]);
        await As("ayu").StartConversation("budi");
    }

    [Fact]
    public async Task reporting_past_the_hourly_limit_is_429_with_retry_after_and_files_nothing()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        var limit = new RateLimitSettings().ReportsPerHour;
        var messages = new List<string>();
        for (var i = 0; i <= limit; i++) messages.Add(await As("ayu").Say(chat, $"message {i}"));
        foreach (var message in messages.Take(limit)) await As("budi").Post($"/conversations/{chat}/messages/{message}/report", new { reason = "spam" });

        var refused = await As("budi").Post($"/conversations/{chat}/messages/{messages[^1]}/report", new { reason = "spam" }, 429);

        int.Parse(refused.Context.Response.Headers.RetryAfter.ToString()).ShouldBeInRange(3_500, 3_600);
        Code((await refused.ReadAsJsonAsync<ProblemDetails>())!).ShouldBe(RateLimitSettings.ReportsPerHourRule);
        (await Queue($"?limit={Paging.MaxLimit}")).Items.Count.ShouldBe(limit);
        await As("budi").Post($"/conversations/{chat}/messages/{messages[0]}/report", new { reason = "again" });
        var request = await As("cici").StartConversation("budi");
        await As("budi").Post($"/conversations/{request}/report", new { reason = "spam" }, 429);
        (await As("budi").Requests()).Single().ConversationId.ShouldBe(request, "a refused report declines nothing");
    }
}
