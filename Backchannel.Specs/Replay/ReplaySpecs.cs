using Backchannel.Domain.Conversations;
using Backchannel.Projections;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Replay;

/// <summary>Every view can be rebuilt from the events alone, and the rebuilt views equal the live ones.</summary>
public sealed class ReplaySpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task rebuilding_every_view_from_the_events_gives_back_the_live_views()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed: 7).RunAsync(150);
        await AsyncViewsCaughtUp();
        var live = await StoredViews.CaptureAsync(Store);

        var progress = new List<ViewRebuilder.Progress>();
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(progress.Add));

        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
        progress.Where(p => p.Stage == "rebuilt").Select(p => p.View).ShouldBe(ViewRebuilder.All.Select(v => v.Name), ignoreOrder: true);
        progress.Single(p => p is { View: "conversations", Stage: "rebuilt" }).Documents
            .ShouldBe(live.Keys.Count(k => k.StartsWith("ConversationView/")));
    }

    [Fact]
    public async Task a_rebuild_that_moves_documents_out_of_memory_page_by_page_gives_back_the_live_views()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed: 11).RunAsync(150);
        await AsyncViewsCaughtUp();
        var live = await StoredViews.CaptureAsync(Store);

        // Pages of three events, and a document out of memory once a page went by without touching it: almost every
        // edit, reaction, read marker and snapshot reads its document back from the fresh table, and writes it again.
        var progress = new List<ViewRebuilder.Progress>();
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(progress.Add),
            new Backchannel.Projections.Rebuilding.RebuildOptions(4, Coordinate: false, TimeSpan.Zero, PageSize: 3, HotPages: 1), CancellationToken.None);

        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
        progress.Single(p => p is { View: "threads", Stage: "rebuilt" }).Documents.ShouldBe(live.Keys.Count(k => k.StartsWith("MessageState/")));
        progress.Single(p => p is { View: "push", Stage: "rebuilt" }).Documents
            .ShouldBe(live.Keys.Count(k => k.StartsWith("FeedItem/") || k.StartsWith("ConversationAudience/") || k.StartsWith("RoomAudience/")));
    }

    [Fact]
    public async Task one_view_can_be_rebuilt_alone_after_its_documents_were_lost()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed: 11).RunAsync(60);
        await AsyncViewsCaughtUp();
        var live = await StoredViews.CaptureAsync(Store);
        await Store.Advanced.Clean.DeleteDocumentsByTypeAsync(typeof(MessageState));

        await Store.RebuildAsync("threads", new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));

        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
    }

    [Fact]
    public async Task rebuilding_the_threads_clears_messages_stored_under_the_old_key_of_the_message_id_alone()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed: 5).RunAsync(60);
        await AsyncViewsCaughtUp();
        var live = await StoredViews.CaptureAsync(Store);
        await using (var session = Store.LightweightSession())
        {
            // What a store written before documents were keyed by their conversation holds: one key per message id.
            session.Store(new MessageState("ayu", 1, false, [], []) { Id = "client-id-7", MessageId = "client-id-7", ConversationId = "c-old", Text = "stale" });
            await session.SaveChangesAsync();
        }

        await Store.RebuildAsync("threads", new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));

        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
    }

    [Fact]
    public async Task an_unknown_view_name_is_refused_with_the_list_of_views()
    {
        var refusal = await Should.ThrowAsync<ArgumentException>(() => Store.RebuildAsync("inboxes", new SynchronousProgress<ViewRebuilder.Progress>(_ => { })));
        refusal.Message.ShouldContain(string.Join(", ", ViewRebuilder.All.Select(v => v.Name)));
    }

    [Fact]
    public async Task rebuilding_the_push_feed_leaves_nothing_from_before_it()
    {
        await As("ayu").StartRoom();
        await AsyncViewsCaughtUp();
        await using (var session = Store.LightweightSession())
        {
            session.Store(new Backchannel.Projections.Push.RoomAudience { Id = "gone-room", Stage = ["ghost"] });
            session.Store(new Backchannel.Projections.Push.FeedItem
            {
                Id = Backchannel.Projections.Push.FeedItem.IdOf(999_999, 0), Recipients = ["ghost"], Position = 999_999, Kind = "moderation", StreamKey = "gone-room",
                Data = System.Text.Json.JsonDocument.Parse("{}").RootElement,
            });
            await session.SaveChangesAsync();
        }

        await Store.RebuildAsync("push", new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));

        await using var query = Store.QuerySession();
        (await query.LoadAsync<Backchannel.Projections.Push.FeedItem>(Backchannel.Projections.Push.FeedItem.IdOf(999_999, 0))).ShouldBeNull();
        (await query.LoadAsync<Backchannel.Projections.Push.RoomAudience>("gone-room")).ShouldBeNull();
        (await query.Query<Backchannel.Projections.Push.FeedItem>().CountAsync()).ShouldBeGreaterThan(0, "the real feed is rebuilt");
    }

    /// <summary>
    /// The rebuild's own clock may run days fast (or be a machine's with the wrong time): it leaves out no more than the
    /// database's clock says the pruners would delete.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(30)]
    public async Task a_rebuild_writes_no_push_item_older_than_the_retention_and_a_client_resuming_before_it_is_told_to_reload(int daysTheRebuildsClockIsFast)
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("old news", ["budi"])).ConversationId;
        await As("ayu").Say(id, "older still");
        await AsyncViewsCaughtUp();
        // That history happened a day longer ago than the feed keeps an item (the default retention, seven days).
        long aged;
        await using (var connection = new Npgsql.NpgsqlConnection(AppFixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var age = new Npgsql.NpgsqlCommand(
                $"update {Store.Options.Events.DatabaseSchemaName}.mt_events set timestamp = timestamp - interval '8 days' returning seq_id", connection);
            var sequences = new List<long>();
            await using (var reader = await age.ExecuteReaderAsync())
                while (await reader.ReadAsync()) sequences.Add(reader.GetInt64(0));
            aged = sequences.Max();
        }
        var fresh = await As("ayu").Say(id, "fresh news");
        await AsyncViewsCaughtUp();
        var live = await FeedAsync();

        var progress = new List<ViewRebuilder.Progress>();
        if (daysTheRebuildsClockIsFast > 0) App.Clock.Set(DateTimeOffset.UtcNow.AddDays(daysTheRebuildsClockIsFast));
        try
        {
            await Store.RebuildAsync("push", new SynchronousProgress<ViewRebuilder.Progress>(progress.Add));
        }
        finally
        {
            App.Clock.Release();
        }

        var rebuilt = await FeedAsync();
        rebuilt.Keys.ShouldAllBe(position => position > aged, "an item the pruner would delete is not written");
        rebuilt.ShouldBe(live.Where(i => i.Key > aged).ToDictionary(), "every item of the history the feed keeps, as the daemon wrote it");
        await using (var query = Store.QuerySession())
            (await query.PrunedThroughAsync()).ShouldBe(live.Keys.Where(p => p <= aged).Max(), "the mark covers what was left out, as pruning it would");
        progress.Single(p => p.Stage == "left out").Position.ShouldBe(live.Keys.Where(p => p <= aged).Max(), "the operator is told how far");

        await using var resumingBefore = await Listen("budi", "0");
        (await resumingBefore.NextAsync("reload")).Text("reason").ShouldBe("expired");
        await using var resumingAfter = await Listen("budi", aged.ToString());
        (await resumingAfter.NextAsync("message_sent")).Text("messageId").ShouldBe(fresh);
    }

    /// <summary>The push feed's items by position, each as its recipients, kind and payload.</summary>
    private async Task<Dictionary<long, string>> FeedAsync()
    {
        await using var query = Store.QuerySession();
        var items = await query.Query<Backchannel.Projections.Push.FeedItem>().ToListAsync();
        return items.GroupBy(i => i.Position).ToDictionary(g => g.Key,
            g => string.Join(" | ", g.OrderBy(i => i.Id).Select(i => $"{i.Id} {string.Join(",", i.Recipients)} {i.Kind} {i.StreamKey} {i.At:O} {i.Data.GetRawText()}")));
    }
}
