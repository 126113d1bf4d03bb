using Backchannel.Projections;
using System.Net;
using System.Text.Json;
using Alba;
using Backchannel.Domain.Common;
using Backchannel.Host;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using JasperFx.Events.Daemon;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// The push stream as an attacker holds it: streams are bounded per user and per node, refused before they hold
/// anything, and freed however they end; no position, however spelled, is a 5xx or reaches anyone else's items.
/// </summary>
public sealed class PushAbuseSpecs(AppFixture app) : AppSpec(app)
{
    private PushStreamSlots Slots => Host.Services.GetRequiredService<PushStreamSlots>();
    private FeedWatcher Watcher => Host.Services.GetRequiredService<FeedWatcher>();
    private int PerUser => Host.Services.GetRequiredService<BackchannelSettings>().PushStreamsPerUser;

    [Fact]
    public async Task a_user_holds_only_so_many_streams_the_next_is_429_and_a_closed_one_frees_its_slot()
    {
        var streams = new List<PushStream>();
        for (var i = 0; i < PerUser; i++)
        {
            streams.Add(await Listen("budi"));
            await streams[^1].NextAsync("ready");
        }
        var subscribed = Watcher.Subscriptions;

        var refused = await Request("budi");
        await ShouldBeRefused(refused, HttpStatusCode.TooManyRequests, "too_many_streams");
        Watcher.Subscriptions.ShouldBe(subscribed, "a refused stream never reached the feed");
        Slots.OpenFor("budi").ShouldBe(PerUser);
        var other = await Listen("ayu");
        await other.NextAsync("ready");
        await Close(other, "ayu", Slots);

        // Closed from the client's side, as a dropped connection looks to the server.
        await Close(streams[0], "budi", Slots);
        streams[0] = await Listen("budi");
        await streams[0].NextAsync("ready");
        await ShouldBeRefused(await Request("budi"), HttpStatusCode.TooManyRequests, "too_many_streams");

        await As("budi").Follow("ayu");
        var sent = await As("ayu").StartConversation("to every device", ["budi"]);
        foreach (var stream in streams)
        {
            await stream.NextAsync("conversation");
            (await stream.NextAsync("message_sent")).Text("messageId").ShouldBe(sent.MessageId);
        }
        foreach (var stream in streams) await stream.DisposeAsync();
    }

    [Fact]
    public async Task many_streams_of_one_user_at_once_get_exactly_their_share_and_the_rest_are_refused()
    {
        var client = Host.Server.CreateClient();
        var token = App.TokenFor("budi");
        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => PushStream.RequestAsync(client, token)));

        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(PerUser);
        responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests).ShouldBe(200 - PerUser);
        Slots.OpenFor("budi").ShouldBe(PerUser);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.OK))
            await ShouldBeRefused(refused, HttpStatusCode.TooManyRequests, "too_many_streams");

        var open = responses.Where(r => r.StatusCode == HttpStatusCode.OK).Select(PushStream.Wrap).ToList();
        foreach (var stream in open) await stream.NextAsync("ready");
        foreach (var stream in open) await Close(stream, "budi", Slots);
        Slots.OpenFor("budi").ShouldBe(0, "every stream gave its slot back");
    }

    [Fact]
    public async Task a_full_node_refuses_the_next_stream_503_whoever_asks()
    {
        await using var node2 = await AlbaHost.For<Program>(b => b
            .UseSetting("Backchannel:Daemon", nameof(DaemonChoice.Off))
            .UseSetting("Backchannel:PushStreamsPerNode", "3"));
        var client = node2.Server.CreateClient();
        var open = new List<PushStream>();
        foreach (var user in new[] { "ayu", "budi", "cici" })
        {
            open.Add(await PushStream.OpenAsync(client, App.TokenFor(user)));
            await open[^1].NextAsync("ready");
        }

        await ShouldBeRefused(await PushStream.RequestAsync(client, App.TokenFor("dodi")), HttpStatusCode.ServiceUnavailable, "push_streams_exhausted");
        await using (var onNode1 = await Listen("dodi")) await onNode1.NextAsync("ready");

        await Close(open[0], "ayu", node2.Services.GetRequiredService<PushStreamSlots>());
        await using var dodi = await PushStream.OpenAsync(client, App.TokenFor("dodi"));
        await dodi.NextAsync("ready");
        foreach (var stream in open.Skip(1)) await stream.DisposeAsync();
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("5 ")]
    [InlineData("1e3")]
    [InlineData("0x10")]
    [InlineData("5.0")]
    [InlineData("1,2")]
    [InlineData("NaN")]
    [InlineData("99999999999999999999999")]
    [InlineData("٣")]
    [InlineData("5\0")]
    [InlineData("\0")]
    public async Task a_position_that_is_not_plain_digits_is_400_naming_it_in_the_query_and_in_the_header(string position)
    {
        foreach (var inQuery in new[] { true, false })
        {
            var given = inQuery ? Uri.EscapeDataString(position) : position;
            using var response = await PushStream.RequestAsync(Host.Server.CreateClient(), App.TokenFor("budi"), given, inQuery);
            ((int)response.StatusCode).ShouldBe(400, $"{(inQuery ? "?lastEventId=" : "Last-Event-ID: ")}{given}");
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("errors").TryGetProperty("lastEventId", out _).ShouldBeTrue(problem.ToString());
        }
        Slots.OpenFor("budi").ShouldBe(0, "a refused position holds no slot");
    }

    [Fact]
    public async Task the_largest_position_is_unknown_and_reloads_and_no_position_or_parameter_reaches_another_users_items()
    {
        await As("cici").Follow("ayu");
        var theirs = await As("ayu").StartConversation("only for cici", ["cici"]);
        await As("ayu").Say(theirs.ConversationId, "still only for cici");
        await AsyncViewsCaughtUp();

        await using (var largest = await Listen("budi", long.MaxValue.ToString()))
            (await largest.NextAsync("reload")).Text("reason").ShouldBe("unknown_position");

        // From the very start of the feed, with every spelling of "someone else" a client could try.
        var budis = new HashSet<string>();
        foreach (var url in new[] { "/me/events?lastEventId=0&userId=cici", "/me/events?lastEventId=0&user=cici&sub=cici" })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Authorization = new("Bearer", App.TokenFor("budi"));
            request.Headers.TryAddWithoutValidation("X-User-Id", "cici");
            var response = await Host.Server.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await using var budi = PushStream.Wrap(response);
            var fence = await As("ayu").StartConversation("now for budi", ["budi"]);
            budis.Add(fence.ConversationId);
            var seen = await budi.UntilAsync(e => e.Kind == "message_sent" && e.Text("conversationId") == fence.ConversationId);
            seen.ShouldAllBe(e => budis.Contains(e.Text("conversationId")), "budi sees nothing of cici's conversation");
        }
    }

    /// <summary>Drops <paramref name="stream"/> from the client's side and waits until the server has freed its slot.</summary>
    private static async Task Close(PushStream stream, string userId, PushStreamSlots slots)
    {
        var before = slots.OpenFor(userId);
        await stream.DisposeAsync();
        while (true)
        {
            var freed = slots.Freed;
            if (slots.OpenFor(userId) < before) return;
            await freed.WaitAsync(PushStream.Patience);
        }
    }

    private Task<HttpResponseMessage> Request(string userId) => PushStream.RequestAsync(Host.Server.CreateClient(), App.TokenFor(userId));

    private static async Task ShouldBeRefused(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        using (response)
        {
            response.StatusCode.ShouldBe(status);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            response.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThan(0);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("code").GetString().ShouldBe(code);
            problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        }
    }
}
