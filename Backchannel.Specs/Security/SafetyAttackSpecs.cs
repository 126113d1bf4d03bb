using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Backchannel.Domain.Common;
using Backchannel.Domain.Privacy;
using Backchannel.Domain.Safety;
using Backchannel.Host.Auth;
using Backchannel.Projections.Privacy;
using Backchannel.Projections.Push;
using Backchannel.Projections.Safety;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.AspNetCore.Routing;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>
/// Trust and safety attacked: what a suspended user can still tell, what a non-operator can reach, what a report of a
/// message one cannot read gives away, and whether the reporting limit holds when reports arrive at once. Each a
/// class, by comparing whole answers (status, the headers a client reads, the body) between worlds or cases that
/// differ only in the secret.
/// </summary>
public sealed partial class SafetyAttackSpecs(AppFixture app) : AppSpec(app)
{
    private static readonly TokenIssuer Tokens = new(new AuthSettings { SigningKey = AppFixture.SigningKey }, TimeProvider.System);

    private static readonly string[] Headers = ["Location", "Retry-After", "Content-Type", "Content-Disposition"];

    private async Task<(int Status, string Text)> Send(string user, string method, string url, object? body = null, bool isOperator = false)
    {
        var result = await Host.Scenario(s =>
        {
            _ = method switch
            {
                "GET" => s.Get.Url(url),
                "DELETE" => s.Delete.Url(url),
                "PUT" => s.Put.Json(body ?? new { }).ToUrl(url),
                _ => body is null ? s.Post.Url(url) : s.Post.Json(body).ToUrl(url),
            };
            s.WithRequestHeader("Authorization", $"Bearer {Tokens.Mint(user, isOperator)}");
            s.IgnoreStatusCode();
        });
        var response = result.Context.Response;
        var headers = string.Join(" ", Headers.Select(h => $"{h}={response.Headers[h]}"));
        return (response.StatusCode, $"{response.StatusCode} {headers} {Shaped(await result.ReadAsTextAsync())}");
    }

    private static string Shaped(string text)
    {
        if (text.Length == 0) return "";
        try
        {
            var node = JsonNode.Parse(text);
            if (node is JsonObject problem) problem.Remove("traceId");
            return node?.ToJsonString() ?? "null";
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }

    // The reporting limit under concurrency.

    [Fact]
    public async Task reports_filed_at_once_past_the_hourly_limit_file_exactly_the_limit_and_refuse_the_rest()
    {
        var limit = new RateLimitSettings().ReportsPerHour;
        await As("budi").Follow("ayu");
        var targets = new List<(string Conversation, string Message)>();
        for (var c = 0; c < 3; c++)
        {
            var chat = await As("ayu").StartConversation("budi");
            for (var m = 0; m < 5; m++) targets.Add((chat, await As("ayu").Say(chat, $"message {c}.{m}")));
        }
        targets.Count.ShouldBeGreaterThan(limit);

        var answers = await Task.WhenAll(targets.Select(t =>
            Send("budi", "POST", $"/conversations/{t.Conversation}/messages/{t.Message}/report", new { reason = "spam" })));

        answers.Count(a => a.Status == 204).ShouldBe(limit, string.Join("\n", answers.Select(a => a.Text)));
        answers.Count(a => a.Status == 429).ShouldBe(targets.Count - limit);
        await using var session = Store.QuerySession();
        (await session.LoadAsync<ReportsFiled>("budi"))!.Filed.Count.ShouldBe(limit);
        (await session.Query<ReportCase>().CountAsync()).ShouldBe(limit);
        (await session.Events.QueryRawEventDataOnly<Backchannel.Domain.Conversations.MessageReported>().CountAsync()).ShouldBe(limit);
    }

    // A report of a message one cannot read.

    [Fact]
    public async Task reporting_a_message_one_cannot_read_answers_exactly_as_one_that_does_not_exist_within_and_past_the_limit()
    {
        foreach (var follower in new[] { "budi", "cici" }) await As(follower).Follow("ayu");
        var group = (await As("ayu").StartConversation("before budi", ["cici", "dodi"])).ConversationId;
        var before = (await As("ayu").Thread(group)).Messages.Single().Id;
        await As("ayu").Post($"/conversations/{group}/members", new { userIds = new[] { "budi" } });
        var elsewhere = await As("ayu").StartConversation("cici");
        var othersId = await As("ayu").Say(elsewhere, "in another conversation");
        var visible = await As("ayu").Say(group, "budi reads this");
        int events;
        await using (var session = Store.QuerySession()) events = await session.Events.QueryAllRawEvents().CountAsync();

        async Task<string[]> Probe() =>
        [
            (await Send("budi", "POST", $"/conversations/{group}/messages/{before}/report", new { reason = "x" })).Text,
            (await Send("budi", "POST", $"/conversations/{group}/messages/{othersId}/report", new { reason = "x" })).Text,
            (await Send("budi", "POST", $"/conversations/{group}/messages/no-such-message/report", new { reason = "x" })).Text,
        ];

        var within = await Probe();
        within.Distinct().Count().ShouldBe(1, string.Join("\n", within));
        within[0].ShouldStartWith("404 ");
        await using (var session = Store.QuerySession()) (await session.Events.QueryAllRawEvents().CountAsync()).ShouldBe(events, "nothing filed");

        // Past the limit a real report is refused 429; the others still answer as nothing there, all alike.
        var limit = new RateLimitSettings().ReportsPerHour;
        var chat = await As("ayu").StartConversation("budi");
        for (var i = 0; i < limit; i++)
            await As("budi").Post($"/conversations/{chat}/messages/{await As("ayu").Say(chat, $"m{i}")}/report", new { reason = "spam" });
        (await Send("budi", "POST", $"/conversations/{group}/messages/{visible}/report", new { reason = "x" })).Status.ShouldBe(429);
        var past = await Probe();
        past.ShouldBe(within);
    }

    // Operator routes.

    /// <summary>Every route an operator's token opens and a user's does not, as the app maps them.</summary>
    private static readonly string[] OperatorRoutes =
    [
        "GET /reports", "POST /reports/{id}/dismiss", "POST /reports/{id}/remove", "PUT /users/{userId}/suspension",
        "DELETE /users/{userId}/suspension", "GET /audit/moderation", "GET /audit/rooms", "POST /users/{userId}/erasure",
    ];

    private static object? OperatorBody(string pattern) =>
        pattern.EndsWith("/suspension") ? new { until = (DateTimeOffset?)null, reason = "spam" }
        : pattern.StartsWith("/reports/") ? new { reason = "fine" } : null;

    [Fact]
    public async Task a_non_operator_is_refused_every_operator_route_alike_whether_its_ids_name_a_real_case_and_user_or_nothing()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        var message = await As("ayu").Say(chat, "rude");
        await As("budi").Post($"/conversations/{chat}/messages/{message}/report", new { reason = "rude" });
        var real = (await As("ops", isOperator: true).Get<Backchannel.Projections.Page<ReportQueueItem>>("/reports")).Items.Single().ReportId;

        // Which routes refuse a user as no operator, found from every route the app maps, each asked by a newcomer
        // (the push stream is left out: it never ends, and an operator has no stream of their own).
        var refusing = new List<string>();
        var n = 0;
        foreach (var (method, pattern) in Routes().Where(r => r.Pattern != "/me/events"))
        {
            var url = Regex.Replace(pattern.Replace("{userId}", "nobody_here"), "{[^}]+}", "x-1");
            if ((await Send($"newcomer{n++}", method, url, OperatorBody(pattern))).Text.Contains("\"code\":\"operators_only\"")) refusing.Add($"{method} {pattern}");
        }
        refusing.Order().ShouldBe(OperatorRoutes.Order(), "every operator route refuses users, and a new one is listed here");

        // Asked by the reporter, by a member and by an outsider, naming the real case and the reported user, or
        // nothing: the same refusal, and nothing appended.
        int events;
        await using (var session = Store.QuerySession()) events = await session.Events.QueryAllRawEvents().CountAsync();
        foreach (var route in OperatorRoutes)
        {
            var (method, pattern) = (route[..route.IndexOf(' ')], route[(route.IndexOf(' ') + 1)..]);
            foreach (var caller in new[] { "budi", "cici", "zed" })
            {
                var named = await Send(caller, method, pattern.Replace("{id}", real).Replace("{userId}", "ayu"), OperatorBody(pattern));
                var nothing = await Send(caller, method, pattern.Replace("{id}", "rpt-0000000000000000").Replace("{userId}", "nobody_here"), OperatorBody(pattern));
                named.Status.ShouldBe(403, $"{route} as {caller}: {named.Text}");
                nothing.Text.ShouldBe(named.Text, $"{route} as {caller}: what the ids name shows");
            }
        }
        await using (var session = Store.QuerySession()) (await session.Events.QueryAllRawEvents().CountAsync()).ShouldBe(events);
        (await As("ops", isOperator: true).Get<Backchannel.Projections.Page<ReportQueueItem>>("/reports")).Items.Single().Status.ShouldBe(ReportStatus.Open);
    }

    [Fact]
    public async Task an_operators_decision_names_only_the_case_a_message_id_or_conversation_id_is_no_report_id()
    {
        await As("budi").Follow("ayu");
        var chat = await As("ayu").StartConversation("budi");
        var message = await As("ayu").Say(chat, "rude");
        var other = await As("ayu").StartConversation("cici");
        await As("budi").Post($"/conversations/{chat}/messages/{message}/report", new { reason = "rude" });
        var ops = As("ops", isOperator: true);

        foreach (var id in new[] { chat, message, other, $"rpt-{chat[..16]}", ReportIds.ForMessage(other, message), ReportIds.ForRequest(chat, "budi") })
        foreach (var action in new[] { "dismiss", "remove" })
        {
            var (status, text) = await Send("ops", "POST", $"/reports/{id}/{action}", new { reason = "x" }, isOperator: true);
            (status, text.Contains("\"code\":\"report_not_found\"")).ShouldBe((404, true), $"{action} {id}: {text}");
        }
        (await ops.Get<Backchannel.Projections.Page<ReportQueueItem>>("/reports")).Items.Single().Status.ShouldBe(ReportStatus.Open);
        (await As("cici").Thread(other)).Messages.Single().Deleted.ShouldBeFalse();
        (await As("budi").Thread(chat)).Messages.Select(m => m.Deleted).ShouldAllBe(d => !d);
    }

    private IEnumerable<(string Method, string Pattern)> Routes() =>
        Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Distinct();

    // A suspended user reads what they could.

    /// <summary>GET routes that read nothing of a user's: the host's own documents and pages, health, and the push stream (compared by its items).</summary>
    private static readonly string[] NotUsersReads = ["/health", "/health/live", "/health/ready", "/openapi/v1.json", "/me/events"];

    private static bool IsNotUsersRead(string pattern) =>
        NotUsersReads.Contains(pattern) || pattern.StartsWith("/app") || pattern.StartsWith("/api-reference") || pattern.StartsWith("/dev/")
        || pattern.StartsWith("/openapi");

    [Fact]
    public async Task a_suspended_requester_reads_every_route_exactly_as_if_not_suspended_and_cannot_tell_their_requests_are_hidden()
    {
        var startsAt = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-30);
        var reads = Routes().Where(r => r.Method == "GET" && !IsNotUsersRead(r.Pattern)).Select(r => r.Pattern).Distinct().Order().ToList();
        reads.Count.ShouldBeGreaterThanOrEqualTo(14);
        try
        {
            var free = await SuspendedWorld(suspended: false, startsAt, reads);
            await Host.ResetAllMartenDataAsync<IBackchannelStore>();
            var held = await SuspendedWorld(suspended: true, startsAt, reads);

            free.Count.ShouldBeGreaterThan(20);
            for (var i = 0; i < Math.Min(free.Count, held.Count); i++)
                if (free[i] != held[i])
                    throw new ShouldAssertException($"What ayu reads differs at {i}:\n  not suspended: {free[i]}\n  suspended: {held[i]}");
            held.Count.ShouldBe(free.Count);
        }
        finally
        {
            App.Clock.Release();
        }
    }

    private async Task<List<string>> SuspendedWorld(bool suspended, DateTimeOffset startsAt, IReadOnlyList<string> reads)
    {
        App.Clock.Set(startsAt);
        async Task<string> Do(string user, string method, string url, object? body = null, bool isOperator = false)
        {
            App.Clock.Advance(TimeSpan.FromSeconds(7));
            return (await Send(user, method, url, body, isOperator)).Text;
        }
        string IdIn(string answer, string field) => JsonNode.Parse(answer[(answer.IndexOf('{'))..])![field]!.GetValue<string>();

        await Do("ayu", "POST", "/follows/budi");
        await Do("cici", "POST", "/follows/ayu");
        var request = IdIn(await Do("ayu", "POST", "/conversations", new { to = new[] { "budi" }, text = "hi budi" }), "conversationId");
        var group = IdIn(await Do("ayu", "POST", "/conversations", new { to = new[] { "cici", "dodi" }, text = "hi both" }), "conversationId");
        var room = IdIn(await Do("budi", "POST", "/rooms", new { title = "budi's room" }), "roomId");
        await Do("ayu", "POST", $"/rooms/{room}/join");
        await Do("ayu", "POST", $"/rooms/{room}/questions", new { text = "A question?", anonymous = false });
        var plannedAt = startsAt.AddDays(2);
        var planned = IdIn(await Do("budi", "POST", "/events", new { title = "budi's event", startsAt = plannedAt, coHosts = Array.Empty<string>() }), "eventId");

        if (suspended) await Do("ops", "PUT", "/users/ayu/suspension", new { until = startsAt.AddDays(1), reason = "spam" }, isOperator: true);
        else App.Clock.Advance(TimeSpan.FromSeconds(7));
        // The recipients act on what their inboxes show: with ayu suspended, budi's and dodi's no longer hold ayu's requests.
        await Do("budi", "POST", "/inbox/requests/decline-all");
        await Do("dodi", "POST", "/inbox/requests/block-all");
        await Do("cici", "POST", $"/conversations/{group}/messages", new { text = "hello ayu" });
        await AsyncViewsCaughtUp();

        var lines = new List<string>();
        foreach (var pattern in reads)
        {
            var urls = pattern switch
            {
                "/conversations/{id}" => [$"/conversations/{request}", $"/conversations/{group}", $"/conversations/{request}?asOfVersion=1",
                    $"/conversations/{group}?limit=1"],
                "/rooms/{id}" or "/rooms/{id}/moderation" or "/rooms/{id}/moderation/raised-hands" => [pattern.Replace("{id}", room)],
                "/rooms/{id}/moderation/{list}" => [$"/rooms/{room}/moderation/pending"],
                "/events/{id}" => [$"/events/{planned}"],
                _ when !pattern.Contains('{') => new[] { pattern },
                _ => throw new ShouldAssertException($"GET {pattern}: a read route this spec does not know how to fill; add it"),
            };
            foreach (var url in urls) lines.Add($"GET {url} -> {await Do("ayu", "GET", url)}");
        }
        int items;
        await using (var session = Store.QuerySession()) items = await session.Query<FeedItem>().CountAsync(f => f.Recipients.Contains("ayu"));
        await using var stream = await PushStream.OpenAsync(Host.Server.CreateClient(), Tokens.Mint("ayu"), "0");
        for (var i = 0; i < items; i++)
        {
            var item = await stream.NextAsync();
            lines.Add($"push {item.Kind} {Shaped(item.Data.GetRawText())}");
        }
        return Normalised(lines);
    }

    /// <summary>
    /// Server-chosen ids become their rank of first appearance; the audit's global sequences (shared by every user of
    /// the store, so no one's secret) are blanked.
    /// </summary>
    private static List<string> Normalised(IEnumerable<string> lines)
    {
        var ids = new Dictionary<string, string>();
        return lines.Select(line => Guids().Replace(line.StartsWith("GET /audit") ? Sequences().Replace(line, "\"sequence\":#") : line, m =>
        {
            if (!ids.TryGetValue(m.Value, out var name)) ids[m.Value] = name = $"id#{ids.Count + 1}";
            return name;
        })).ToList();
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-z])[0-9a-f]{32}(?![0-9a-z])")]
    private static partial Regex Guids();

    [GeneratedRegex("\"sequence\":[0-9]+")]
    private static partial Regex Sequences();
}
