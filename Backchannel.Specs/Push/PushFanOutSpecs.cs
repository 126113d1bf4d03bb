using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// A node reads the push feed once per advance and hands each stream its own items in memory: the database work does
/// not grow with the number of streams, every stream still gets every item of its user once and in order, and none
/// gets anyone else's. A stream that cannot keep up is not buffered without bound: it catches up from the feed.
/// </summary>
public sealed class PushFanOutSpecs(AppFixture app) : AppSpec(app)
{
    private FeedWatcher Watcher => Host.Services.GetRequiredService<FeedWatcher>();

    [Fact]
    public async Task fifty_streams_cost_one_feed_query_per_advance_and_each_gets_exactly_its_users_items()
    {
        var users = Enumerable.Range(1, 10).Select(i => $"user{i:00}").ToArray();
        foreach (var user in users) await As(user).Follow("ayu");
        var everyone = (await As("ayu").StartConversation("to all of you", users)).ConversationId;
        var half = (await As("ayu").StartConversation("to half of you", users[..5])).ConversationId;
        await AsyncViewsCaughtUp();
        var streams = new List<(string User, PushStream Stream)>();
        foreach (var user in users)
        {
            for (var i = 0; i < 5; i++)
            {
                var stream = await Listen(user);
                await stream.NextAsync("ready");
                streams.Add((user, stream));
            }
        }

        using var queries = StatementTrace.FeedItemReads();
        var (reads, advances, sent) = (Watcher.FeedReads, Watcher.Advances, 0);
        for (var round = 1; round <= 3; round++)
        {
            var toHalf = await As("ayu").Say(half, $"half, round {round}");
            var toAll = await As("ayu").Say(everyone, $"all, round {round}");
            sent += 2;
            foreach (var (user, stream) in streams)
            {
                if (Array.IndexOf(users, user) < 5) (await stream.NextAsync("message_sent")).Text("messageId").ShouldBe(toHalf, user);
                (await stream.NextAsync("message_sent")).Text("messageId").ShouldBe(toAll, $"{user} gets nothing of a conversation they are not in");
            }
        }

        var advanced = Watcher.Advances - advances;
        advanced.ShouldBeInRange(1, sent, "at most one advance per message");
        (Watcher.FeedReads - reads).ShouldBe(advanced, "one read per advance, none per stream");
        queries.Count.ShouldBe((int)advanced, "what reached PostgreSQL: one feed query per advance for all fifty streams");
        foreach (var (_, stream) in streams) await stream.DisposeAsync();
    }

    [Fact]
    public async Task a_stream_further_behind_than_its_buffer_catches_up_from_the_feed_exactly_once_in_order()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("many to come", ["budi"])).ConversationId;
        await AsyncViewsCaughtUp();
        using var stop = new CancellationTokenSource();
        // Read straight from the feed and not at all for now: a client whose connection does not drain.
        await using var slow = Host.Services.GetRequiredService<PushFeed>().ReadAsync("budi", null, stop.Token).GetAsyncEnumerator(stop.Token);
        (await slow.MoveNextAsync()).ShouldBeTrue();
        slow.Current.Kind.ShouldBe(PushFrame.Ready);
        await using var keeping = await ListenFromNow("budi");
        var fellBehind = Watcher.FellBehind;

        var sent = new List<string>();
        for (var i = 0; i < FeedWatcher.Buffer + 20; i++) sent.Add(await As("ayu").Say(id, $"message {i}"));
        // Both streams are handed each item at once: when one has the last, the other was offered all of them.
        var kept = await keeping.UntilAsync(e => e.Text("messageId") == sent[^1]);
        kept.Select(e => e.Text("messageId")).ShouldBe(sent);
        (Watcher.FellBehind - fellBehind).ShouldBe(1, "the slow stream's buffer filled and it stopped being handed items");

        var caughtUp = new List<PushFrame>();
        while (caughtUp.Count < sent.Count && await slow.MoveNextAsync().AsTask().WaitAsync(PushStream.Patience))
            if (slow.Current.Kind is not null) caughtUp.Add(slow.Current);
        caughtUp.Select(f => f.Kind).ShouldAllBe(k => k == "message_sent");
        caughtUp.Select(f => f.Position).ShouldBe(kept.Select(e => (long?)e.Id), "every item once, in order, none lost to the full buffer");

        var live = await As("ayu").Say(id, "and live again");
        var liveEvent = await keeping.NextAsync("message_sent");
        liveEvent.Text("messageId").ShouldBe(live);
        do (await slow.MoveNextAsync().AsTask().WaitAsync(PushStream.Patience)).ShouldBeTrue();
        while (slow.Current.Kind is null);
        slow.Current.Position.ShouldBe(liveEvent.Id, "back to being handed items once caught up");
        await stop.CancelAsync();
    }

    private const int Busy = 60;

    [Fact]
    public async Task reconnecting_again_and_again_while_messages_keep_coming_delivers_each_once_in_order()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("a busy one", ["budi"])).ConversationId;
        await AsyncViewsCaughtUp();
        var slots = Host.Services.GetRequiredService<PushStreamSlots>();
        var sent = new List<string>();
        // Every reconnect catches up from the feed while the node hands out new items: the hand-over is what is tried.
        var writing = Task.Run(async () =>
        {
            for (var i = 0; i < Busy; i++) sent.Add(await As("ayu").Say(id, $"busy {i}"));
        });

        var received = new List<PushEvent>();
        var stream = await ListenFromNow("budi");
        var last = stream.LastId;
        while (received.Count < Busy)
        {
            for (var i = 0; i < 3 && received.Count < Busy; i++) received.Add(await stream.NextAsync("message_sent"));
            last = received[^1].Id;
            var open = slots.OpenFor("budi");
            await stream.DisposeAsync();
            while (true)
            {
                var freed = slots.Freed;
                if (slots.OpenFor("budi") < open) break;
                await freed.WaitAsync(PushStream.Patience);
            }
            stream = await Listen("budi", last.ToString());
        }
        await writing;
        await stream.DisposeAsync();

        received.Select(e => e.Text("messageId")).ShouldBe(sent, "each message once, in order, across every reconnect");
    }
}
