using Backchannel.Domain.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Backchannel.Host.Auth;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>
/// A report never tells the reported user who reported them, nor that anyone did (PRODUCT.md, trust and safety),
/// proved by comparison: one history run twice on fresh data, once with budi and cici reporting ayu's messages and an
/// operator dismissing one of the cases, and eko reporting ayu's request, once with nobody reporting anything;
/// everything ayu can read over HTTP and push (every answer with the headers a client reads, every thread whole and
/// paged, every version of it, time travel, the inboxes, the export, the audit, the push feed from its start) is
/// compared whole.
/// </summary>
public sealed partial class ReportedUserWorldsSpecs(AppFixture app) : AppSpec(app)
{
    private const string Reported = "ayu";

    private static readonly TokenIssuer Tokens = new(new AuthSettings { SigningKey = AppFixture.SigningKey }, TimeProvider.System);

    [Fact]
    public async Task the_reported_user_observes_exactly_the_same_whether_or_not_anyone_reported_them()
    {
        var startsAt = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-30);
        try
        {
            var quiet = await RunAsync(reported: false, startsAt);
            await Host.ResetAllMartenDataAsync<IBackchannelStore>();
            var reported = await RunAsync(reported: true, startsAt);

            quiet.Count.ShouldBeGreaterThan(40, "a history that shows little proves little");
            for (var i = 0; i < Math.Min(quiet.Count, reported.Count); i++)
                if (quiet[i] != reported[i])
                    throw new ShouldAssertException($"What {Reported} observes differs at observation {i}:\n  nobody reported: {quiet[i]}\n  reported: {reported[i]}");
            reported.Count.ShouldBe(quiet.Count);
        }
        finally
        {
            App.Clock.Release();
        }
    }

    private async Task<IReadOnlyList<string>> RunAsync(bool reported, DateTimeOffset startsAt)
    {
        App.Clock.Set(startsAt);
        var lines = new List<string>();
        var conversations = new List<string>();

        async Task<string> Do(string user, HttpMethod method, string url, object? body = null, bool isOperator = false)
        {
            App.Clock.Advance(TimeSpan.FromSeconds(7));
            var (status, text) = await Send(user, method, url, body, isOperator);
            if (user == Reported) lines.Add($"{method} {url} -> {status} {LastHeaders} {Shaped(text)}");
            return text;
        }

        async Task Observe()
        {
            foreach (var id in conversations)
            {
                lines.Add($"thread -> {Shaped((await Send(Reported, HttpMethod.Get, $"/conversations/{id}")).Body)}");
                lines.Add($"page -> {Shaped((await Send(Reported, HttpMethod.Get, $"/conversations/{id}?limit=2")).Body)}");
            }
            lines.Add($"inbox -> {Shaped((await Send(Reported, HttpMethod.Get, "/inbox")).Body)}");
            lines.Add($"requests -> {Shaped((await Send(Reported, HttpMethod.Get, "/inbox/requests")).Body)}");
            lines.Add($"export -> {Shaped((await Send(Reported, HttpMethod.Get, "/me/export")).Body)}");
        }

        await Do("budi", HttpMethod.Post, $"/follows/{Reported}");
        await Do("cici", HttpMethod.Post, $"/follows/{Reported}");
        var direct = JsonNode.Parse(await Do(Reported, HttpMethod.Post, "/conversations", new { to = new[] { "budi" }, text = "hi budi" }))!["conversationId"]!.GetValue<string>();
        var group = JsonNode.Parse(await Do(Reported, HttpMethod.Post, "/conversations", new { to = new[] { "budi", "cici", "dodi" }, text = "hi all" }))!["conversationId"]!.GetValue<string>();
        var request = JsonNode.Parse(await Do(Reported, HttpMethod.Post, "/conversations", new { to = new[] { "eko" }, text = "hi eko" }))!["conversationId"]!.GetValue<string>();
        conversations.AddRange([direct, group, request]);
        await Do(Reported, HttpMethod.Post, $"/conversations/{direct}/messages", new { text = "you are awful", messageId = "rude" });
        await Do(Reported, HttpMethod.Post, $"/conversations/{group}/messages", new { text = "buy my course", messageId = "spam" });
        await Do("budi", HttpMethod.Post, $"/conversations/{direct}/messages", new { text = "excuse me?", messageId = "reply" });
        await Observe();

        if (reported)
        {
            await Do("budi", HttpMethod.Post, $"/conversations/{direct}/messages/rude/report", new { reason = "insult" });
            await Do("cici", HttpMethod.Post, $"/conversations/{group}/messages/spam/report", new { reason = "spam" });
            await Do("budi", HttpMethod.Post, $"/conversations/{group}/messages/spam/report", new { reason = (string?)null });
            await Do("eko", HttpMethod.Post, $"/conversations/{request}/report", new { reason = "a stranger" });
            var queue = JsonNode.Parse(await Do("ops", HttpMethod.Get, "/reports", isOperator: true))!["items"]!.AsArray();
            queue.Count.ShouldBe(3, "the reports reached the queue");
            var directCase = queue.Single(i => i!["conversationId"]!.GetValue<string>() == direct)!["reportId"]!.GetValue<string>();
            await Do("ops", HttpMethod.Post, $"/reports/{directCase}/dismiss", new { reason = "heated, not abusive" }, isOperator: true);
        }
        else
        {
            // The same steps of the clock, with nobody doing anything.
            App.Clock.Advance(TimeSpan.FromSeconds(7 * 6));
        }
        await Observe();

        await Do(Reported, HttpMethod.Put, $"/conversations/{direct}/messages/rude", new { text = "sorry, that was awful" });
        await Do(Reported, HttpMethod.Post, $"/conversations/{direct}/messages/reply/reactions", new { emoji = "🙏" });
        await Do(Reported, HttpMethod.Post, $"/conversations/{group}/messages/spam/reactions", new { emoji = "🔥" });
        await Do(Reported, HttpMethod.Post, $"/conversations/{direct}/messages/rude/report", new { reason = "testing" });
        await Do(Reported, HttpMethod.Post, $"/conversations/{direct}/read", new { upToMessageId = "reply" });
        await Do("budi", HttpMethod.Post, $"/conversations/{direct}/messages", new { text = "ok", messageId = "ok" });
        await Do("cici", HttpMethod.Post, $"/conversations/{group}/read", new { upToMessageId = "spam" });
        await Do(Reported, HttpMethod.Post, $"/conversations/{group}/messages", new { text = "fine, no course", messageId = "after" });
        await Do(Reported, HttpMethod.Delete, $"/conversations/{group}/messages/spam");
        await Observe();

        await AsyncViewsCaughtUp();
        foreach (var id in conversations)
        {
            var version = JsonNode.Parse((await Send(Reported, HttpMethod.Get, $"/conversations/{id}")).Body)!["version"]!.GetValue<long>();
            for (var v = 1; v <= version; v++)
                lines.Add($"as of {v} -> {Shaped((await Send(Reported, HttpMethod.Get, $"/conversations/{id}?asOfVersion={v}")).Body)}");
            lines.Add($"as of now -> {Shaped((await Send(Reported, HttpMethod.Get, $"/conversations/{id}?asOf={Uri.EscapeDataString(App.Clock.GetUtcNow().ToString("O"))}")).Body)}");
        }
        lines.Add($"audit -> {Renumbered(Shaped((await Send(Reported, HttpMethod.Get, "/audit/requests")).Body))}");
        foreach (var forbidden in new[] { "/reports", "/audit/moderation", "/audit/rooms" })
            lines.Add($"{forbidden} -> {Shaped((await Send(Reported, HttpMethod.Get, forbidden)).Body)}");

        int items;
        await using (var session = Store.QuerySession()) items = await session.Query<FeedItem>().CountAsync(f => f.Recipients.Contains(Reported));
        await using var stream = await PushStream.OpenAsync(Host.Server.CreateClient(), Tokens.Mint(Reported), "0");
        for (var i = 0; i < items; i++)
        {
            var item = await stream.NextAsync();
            lines.Add($"push {item.Kind} {Shaped(item.Data.GetRawText())}");
        }
        return Normalised(lines);
    }

    /// <summary>The headers a client reads of the last answer: where it points, when to retry, what it is.</summary>
    private string LastHeaders { get; set; } = "";

    private async Task<(int Status, string Body)> Send(string user, HttpMethod method, string url, object? body = null, bool isOperator = false)
    {
        var result = await Host.Scenario(s =>
        {
            if (method == HttpMethod.Get) s.Get.Url(url);
            else if (method == HttpMethod.Delete) s.Delete.Url(url);
            else if (method == HttpMethod.Put) s.Put.Json(body!).ToUrl(url);
            else if (body is null) s.Post.Url(url);
            else s.Post.Json(body).ToUrl(url);
            s.WithRequestHeader("Authorization", $"Bearer {Tokens.Mint(user, isOperator)}");
            s.IgnoreStatusCode();
        });
        var headers = result.Context.Response.Headers;
        LastHeaders = $"Location={headers.Location} Retry-After={headers.RetryAfter} Content-Type={headers.ContentType}";
        return (result.Context.Response.StatusCode, await result.ReadAsTextAsync());
    }

    private static string Shaped(string text)
    {
        if (text.Length == 0) return "";
        var node = JsonNode.Parse(text);
        if (node is JsonObject problem) problem.Remove("traceId");
        return node?.ToJsonString() ?? "null";
    }

    /// <summary>The audit's global sequences differ by construction (the reports are events): each becomes its place.</summary>
    private static string Renumbered(string json)
    {
        if (JsonNode.Parse(json) is not JsonArray entries) return json;
        for (var i = 0; i < entries.Count; i++) if (entries[i] is JsonObject entry) entry["sequence"] = i;
        return entries.ToJsonString();
    }

    /// <summary>Server-chosen ids (conversations, events, correlations) become their rank of first appearance.</summary>
    private static List<string> Normalised(IEnumerable<string> lines)
    {
        var ids = new Dictionary<string, string>();
        return lines.Select(line => Guids().Replace(line, m =>
        {
            if (!ids.TryGetValue(m.Value, out var name)) ids[m.Value] = name = $"id#{ids.Count + 1}";
            return name;
        })).ToList();
    }

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?<![0-9a-z])[0-9a-f]{32}(?![0-9a-z])")]
    private static partial Regex Guids();
}
