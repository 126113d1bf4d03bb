using Backchannel.Domain.Conversations;
using Backchannel.Projections;
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
}
