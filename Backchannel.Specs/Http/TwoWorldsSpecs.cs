using Backchannel.Domain.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Backchannel.Host.Auth;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Bogus;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// The core promise (PRODUCT.md, what a sender can tell), proved by comparison: one seeded history run twice on fresh
/// data, once with budi simply not answering ayu and once with budi having declined, blocked or reported ayu's
/// requests, or having blocked ayu before she wrote; then everything ayu can observe, compared whole. A refusal by
/// budi's policy is no world of this proof: it is told to ayu (403, with who refused) by design.
/// </summary>
public sealed partial class TwoWorldsSpecs(AppFixture app) : AppSpec(app)
{
    private const string Sender = "ayu";
    private const string Recipient = "budi";
    private const string Follower = "cici";

    /// <summary>Tokens minted on the system's clock: the host's clock is set back in these runs, the token check is not.</summary>
    private static readonly TokenIssuer Tokens = new(new AuthSettings { SigningKey = AppFixture.SigningKey }, TimeProvider.System);

    /// <summary>
    /// Every world but the pending one, with the seed of its history. <c>suppressed</c>: budi blocked ayu before her
    /// first request, so each of her requests to him is suppressed from the start.
    /// </summary>
    public static readonly TheoryData<string, int> Worlds = new()
    {
        { "declined", 1 }, { "blocked", 1 }, { "reported", 1 }, { "suppressed", 1 },
        { "declined", 2 }, { "blocked", 2 }, { "reported", 2 }, { "suppressed", 2 },
    };

    [Theory]
    [MemberData(nameof(Worlds))]
    public async Task everything_the_sender_can_observe_is_the_same_as_when_the_recipient_simply_has_not_answered(string fate, int seed)
    {
        var startsAt = new DateTimeOffset(DateTimeOffset.UtcNow.Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero).AddMinutes(-30);
        try
        {
            var pending = await RunAsync("pending", seed, startsAt);
            await Host.ResetAllMartenDataAsync<IBackchannelStore>();
            var other = await RunAsync(fate, seed, startsAt);

            other.Commands.ShouldBeGreaterThan(30, "a history that barely acts proves little");
            // Versions are compared last, so a failure says whether anything but a thread's version differs.
            ShouldBeTheSame(pending.Lines.Select(WithoutVersions).ToList(), other.Lines.Select(WithoutVersions).ToList(), fate, seed, "");
            ShouldBeTheSame(pending.Lines, other.Lines, fate, seed, " (only in a thread's version: all else is the same)");
        }
        finally
        {
            App.Clock.Release();
        }
    }

    private static void ShouldBeTheSame(IReadOnlyList<string> pending, IReadOnlyList<string> other, string fate, int seed, string what)
    {
        for (var i = 0; i < Math.Min(pending.Count, other.Count); i++)
        {
            if (pending[i] != other[i])
            {
                throw new ShouldAssertException(
                    $"Seed {seed}: what {Sender} observes differs when {Recipient} {fate}{what}, at observation {i}:\n" +
                    $"  pending: {pending[i]}\n  {fate}: {other[i]}");
            }
        }
        other.Count.ShouldBe(pending.Count, $"seed {seed}: {Sender} observes as much when {Recipient} {fate}");
    }

    private static string WithoutVersions(string line) => Versions().Replace(line, "\"version\":_");

    [GeneratedRegex("\"version\":[0-9]+")]
    private static partial Regex Versions();

    /// <summary>What one run showed the sender, line by line, with what differs by construction between runs normalised.</summary>
    private sealed record Transcript(IReadOnlyList<string> Lines, int Commands);

    private async Task<Transcript> RunAsync(string fate, int seed, DateTimeOffset startsAt)
    {
        App.Clock.Set(startsAt);
        var world = new World(this, seed);
        await world.RunAsync(fate);
        await AsyncViewsCaughtUp();
        await world.ObserveAsync("audit", "/audit/requests", Renumbered("sequence"));
        await world.ObservePushAsync();
        return new Transcript(Normalised(world.Lines), world.Commands);
    }

    /// <summary>The history: ayu's commands (and a few of others, the same in both worlds), budi's fate at one step.</summary>
    private sealed class World(TwoWorldsSpecs spec, int seed)
    {
        private readonly Faker _faker = new() { Random = new Randomizer(seed) };
        private readonly List<string> _conversations = [];
        private readonly Dictionary<string, List<string>> _ownMessages = [];
        private readonly List<string> _groups = [];
        private readonly List<string> _groupStrangers = [];
        private string? _direct;
        private string? _group;
        private int _strangers;
        private int _messages;

        public List<string> Lines { get; } = [];
        public int Commands { get; private set; }

        public async Task RunAsync(string fate)
        {
            await spec.Send(Follower, HttpMethod.Post, $"/follows/{Sender}", null);
            if (fate == "suppressed") await spec.Send(Recipient, HttpMethod.Post, $"/blocks/{Sender}", null);
            Step();

            _direct = await StartAsync([Recipient]);
            Step();
            _group = await StartAsync([Recipient, Follower, Stranger(), Stranger()]);
            if (_group is not null) _groups.Add(_group);
            _groupStrangers.AddRange([$"s{_strangers - 1}", $"s{_strangers}"]);
            await ObserveAllAsync();

            var fateAt = _faker.Random.Int(0, 6);
            for (var step = 0; step < 40; step++)
            {
                Step();
                if (step == fateAt) await DecideAsync(fate);
                await NextAsync();
                await ObserveAllAsync();
            }
        }

        /// <summary>Budi's answer to both of ayu's first requests; when he simply has not answered, nothing happens.</summary>
        private async Task DecideAsync(string fate)
        {
            var action = fate switch { "declined" => "decline", "blocked" => "block", "reported" => "report", _ => null };
            if (action is null) return;
            foreach (var id in new[] { _direct, _group }.OfType<string>())
                await spec.Send(Recipient, HttpMethod.Post, $"/conversations/{id}/{action}", action == "report" ? new { reason = "spam" } : null);
        }

        /// <summary>Each step happens a few seconds after the last, in both worlds alike.</summary>
        private void Step() => spec.App.Clock.Advance(TimeSpan.FromSeconds(_faker.Random.Int(1, 9)));

        private string Stranger() => $"s{++_strangers}";

        private async Task NextAsync()
        {
            if (_conversations.Count == 0) return;
            var someConversation = _faker.PickRandom(_conversations);
            var someGroup = _groups.Count == 0 ? null : _faker.PickRandom(_groups);
            switch (_faker.Random.Int(0, 19))
            {
                case 0 or 1 or 2: await SayAsync(_direct ?? someConversation); break;
                case 3 or 4 or 5: await SayAsync(someGroup ?? someConversation); break;
                case 6: await SayAsync(someConversation); break;
                case 7:
                    if (_group is not null) await spec.Send(Follower, HttpMethod.Post, $"/conversations/{_group}/messages", new { text = _faker.Lorem.Sentence() });
                    break;
                case 8:
                    if (_group is not null && _groupStrangers.Count > 0)
                        await spec.Send(_faker.PickRandom(_groupStrangers), HttpMethod.Post, $"/conversations/{_group}/messages", new { text = "hello all" });
                    break;
                case 9: await CommandAsync(HttpMethod.Post, $"/conversations/{someGroup ?? someConversation}/members", new { userIds = new[] { Recipient } }); break;
                case 10 or 11:
                    var invited = Enumerable.Range(0, _faker.Random.Int(1, 4)).Select(_ => Stranger()).ToArray();
                    if (someGroup == _group) _groupStrangers.AddRange(invited);
                    await CommandAsync(HttpMethod.Post, $"/conversations/{someGroup ?? someConversation}/members", new { userIds = invited });
                    break;
                case 12:
                    var removed = _faker.PickRandom(new[] { Recipient, Follower }.Concat(_groupStrangers));
                    await CommandAsync(HttpMethod.Delete, $"/conversations/{someGroup ?? someConversation}/members/{removed}", null);
                    break;
                case 13: await StartAsync([Recipient]); break;
                case 14: await StartAsync([Stranger()]); break;
                case 15:
                    if (_ownMessages.TryGetValue(someConversation, out var read) && read.Count > 0)
                        await CommandAsync(HttpMethod.Post, $"/conversations/{someConversation}/read", new { upToMessageId = _faker.PickRandom(read) });
                    break;
                case 16:
                    if (_ownMessages.TryGetValue(someConversation, out var reacted) && reacted.Count > 0)
                        await CommandAsync(HttpMethod.Post, $"/conversations/{someConversation}/messages/{_faker.PickRandom(reacted)}/reactions", new { emoji = "🔥" });
                    break;
                case 17:
                    if (_ownMessages.TryGetValue(someConversation, out var edited) && edited.Count > 0)
                        await CommandAsync(HttpMethod.Put, $"/conversations/{someConversation}/messages/{_faker.PickRandom(edited)}", new { text = _faker.Lorem.Sentence() });
                    break;
                case 18:
                    await CommandAsync(HttpMethod.Put, $"/conversations/{someGroup ?? someConversation}/title", new { title = _faker.Lorem.Word() });
                    break;
                default:
                    var group = await StartAsync([Recipient, Stranger(), Stranger(), Follower]);
                    if (group is not null) _groups.Add(group);
                    break;
            }
        }

        private async Task<string?> StartAsync(string[] to)
        {
            var (status, body) = await CommandAsync(HttpMethod.Post, "/conversations", new { to, text = _faker.Lorem.Sentence() });
            if (status != 201) return null;
            var created = JsonNode.Parse(body)!;
            var id = created["conversationId"]!.GetValue<string>();
            _conversations.Add(id);
            _ownMessages[id] = [created["messageId"]!.GetValue<string>()];
            return id;
        }

        private async Task SayAsync(string conversation)
        {
            var messageId = $"m{++_messages}";
            var (status, _) = await CommandAsync(HttpMethod.Post, $"/conversations/{conversation}/messages",
                new { text = _faker.Lorem.Sentence(), messageId });
            if (status == 201) _ownMessages[conversation].Add(messageId);
        }

        /// <summary>One of the sender's commands: its answer (status, <c>Retry-After</c>, body) is part of what they observe.</summary>
        private async Task<(int Status, string Body)> CommandAsync(HttpMethod method, string url, object? body)
        {
            Commands++;
            var (status, text, retryAfter) = await spec.Send(Sender, method, url, body);
            Lines.Add($"{method} {url} {JsonSerializer.Serialize(body)} -> {status} retry-after={retryAfter} {Shaped(text)}");
            return (status, text);
        }

        /// <summary>Every view of the sender's: each thread they know of (whole, and a page), the inbox, the requests inbox.</summary>
        private async Task ObserveAllAsync()
        {
            foreach (var id in _conversations)
            {
                await ObserveAsync($"thread {id}", $"/conversations/{id}");
                await ObserveAsync($"page {id}", $"/conversations/{id}?limit=2");
            }
            await ObserveAsync("inbox", "/inbox");
            await ObserveAsync("requests", "/inbox/requests");
        }

        public async Task ObserveAsync(string what, string url, Func<JsonNode?, JsonNode?>? shape = null)
        {
            var (status, text, _) = await spec.Send(Sender, HttpMethod.Get, url, null);
            Lines.Add($"{what} -> {status} {Shaped(text, shape)}");
        }

        /// <summary>The sender's push items, all of them from the start: what <c>GET /me/events</c> delivers.</summary>
        public async Task ObservePushAsync()
        {
            foreach (var id in _conversations)
            {
                var thread = JsonNode.Parse((await spec.Send(Sender, HttpMethod.Get, $"/conversations/{id}", null)).Body);
                var version = thread?["version"]?.GetValue<long>() ?? 0;
                if (version > 0) await ObserveAsync($"as of version {id}", $"/conversations/{id}?asOfVersion={version}");
                await ObserveAsync($"as of now {id}", $"/conversations/{id}?asOf={Uri.EscapeDataString(spec.App.Clock.GetUtcNow().ToString("O"))}");
            }

            int expected;
            await using (var session = spec.Store.QuerySession())
                expected = await session.Query<FeedItem>().CountAsync(f => f.Recipients.Contains(Sender));
            await using var stream = await PushStream.OpenAsync(spec.Host.Server.CreateClient(), Tokens.Mint(Sender), "0");
            for (var i = 0; i < expected; i++)
            {
                var item = await stream.NextAsync();
                Lines.Add($"push #{i} {item.Kind} {Shaped(item.Data.GetRawText())}");
            }
        }
    }

    private async Task<(int Status, string Body, string RetryAfter)> Send(string user, HttpMethod method, string url, object? body)
    {
        var result = await Host.Scenario(s =>
        {
            if (method == HttpMethod.Get) s.Get.Url(url);
            else if (method == HttpMethod.Delete) s.Delete.Url(url);
            else if (method == HttpMethod.Put) s.Put.Json(body!).ToUrl(url);
            else if (body is null) s.Post.Url(url);
            else s.Post.Json(body).ToUrl(url);
            s.WithRequestHeader("Authorization", $"Bearer {Tokens.Mint(user)}");
            s.IgnoreStatusCode();
        });
        return (result.Context.Response.StatusCode, await result.ReadAsTextAsync(), result.Context.Response.Headers.RetryAfter.ToString());
    }

    /// <summary>A body as JSON text, without the trace id a problem carries (a new one for every request, by construction).</summary>
    private static string Shaped(string text, Func<JsonNode?, JsonNode?>? shape = null)
    {
        if (text.Length == 0) return "";
        var node = JsonNode.Parse(text);
        if (node is JsonObject problem) problem.Remove("traceId");
        return (shape is null ? node : shape(node))?.ToJsonString() ?? "null";
    }

    /// <summary>
    /// A list whose items carry a global event sequence (the audit's order): each becomes its place in the list. Both
    /// worlds hold different numbers of events by construction (the decline itself is one).
    /// </summary>
    private static Func<JsonNode?, JsonNode?> Renumbered(string property) => node =>
    {
        // A page: its cursor names the last entry's sequence, which is renumbered as the entries' are.
        if (node is JsonObject { } page && page["items"] is JsonArray)
        {
            if (page["next"] is not null) page["next"] = "next";
            Renumbered(property)(page["items"]);
            return node;
        }
        if (node is JsonArray items)
        {
            for (var i = 0; i < items.Count; i++)
                if (items[i] is JsonObject item && item.ContainsKey(property)) item[property] = i;
        }
        return node;
    };

    /// <summary>
    /// Ids chosen by the server (conversation ids, event ids, correlation ids) differ between runs by construction:
    /// each becomes its rank of first appearance, so two runs that show the same things read the same.
    /// </summary>
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
