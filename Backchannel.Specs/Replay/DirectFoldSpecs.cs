using Backchannel.Domain.Conversations;
using Backchannel.Projections;
using Backchannel.Projections.Rebuilding;
using Backchannel.Projections.Safety;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Replay;

/// <summary>
/// The view with one document per message (threads: what a thread shows and its decisions read) is folded by the
/// rebuild itself, with its projection's own Create and Apply methods, and gives back exactly what the live projection
/// wrote.
/// </summary>
public sealed class DirectFoldSpecs(AppFixture app) : AppSpec(app)
{
    private static RebuildOptions SmallPages => new(4, Coordinate: false, TimeSpan.Zero, PageSize: 2, HotPages: 1);

    [Fact]
    public async Task the_messages_are_folded_directly_with_exactly_the_events_of_their_projection()
    {
        await using var session = Store.LightweightSession();
        var rebuild = new FastRebuild(Store, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }), SmallPages);

        var direct = ViewRebuilder.All.Where(v => rebuild.Build(v, session).FoldsDirectly).Select(v => v.Name);

        // A new event in the projection, not folded here, would turn this off (and fail here), not go missing.
        direct.ShouldBe(["threads"]);
    }

    [Fact]
    public async Task a_rebuild_gives_back_the_live_messages_through_edits_reactions_reports_thanks_and_a_removal_by_moderation()
    {
        foreach (var follower in new[] { "budi", "cici" }) await As(follower).Follow("ayu");
        var group = (await As("ayu").StartConversation("first words", ["budi", "cici"])).ConversationId;
        var insult = await As("ayu").Say(group, "you are all idiots");
        var kind = await As("cici").Say(group, "be nice", replyTo: insult);
        await As("budi").Post($"/conversations/{group}/messages/{insult}/reactions", new { emoji = "👍" });
        await As("cici").Post($"/conversations/{group}/messages/{insult}/reactions", new { emoji = "👍" });
        await As("cici").Post($"/conversations/{group}/messages/{kind}/reactions", new { emoji = "🔥" });
        await As("cici").Delete($"/conversations/{group}/messages/{insult}/reactions/👍");
        await As("cici").Put($"/conversations/{group}/messages/{kind}", new { text = "please be nice" });
        await As("budi").Post($"/conversations/{group}/messages/{insult}/report", new { reason = "insult" });
        var gone = await As("budi").Say(group, "never mind");
        await As("budi").Delete($"/conversations/{group}/messages/{gone}");
        var ops = As("ops", isOperator: true);
        var report = (await ops.Get<Page<ReportQueueItem>>("/reports")).Items.Single().ReportId;
        await ops.Post($"/reports/{report}/remove", new { reason = "abuse" });
        await AsyncViewsCaughtUp();
        var live = await StoredViews.CaptureAsync(Store);

        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }), SmallPages, CancellationToken.None);

        var rebuilt = await StoredViews.CaptureAsync(Store);
        rebuilt.ShouldMatch(live);
        rebuilt.Keys.Count(k => k.StartsWith("MessageState/")).ShouldBe(4);
    }

    [Fact]
    public async Task events_the_direct_fold_does_not_claim_are_folded_by_the_projection_itself_as_live()
    {
        var chat = await As("ayu").StartConversation("budi");
        var first = await As("ayu").Say(chat, "one");
        await AsyncViewsCaughtUp();
        await using (var session = Store.LightweightSession())
        {
            // What no decision appends: changes to a message never sent, and a second sending of one that was (the
            // projections make something of each; a reaction to a message never sent would fail them, live as well).
            var at = DateTimeOffset.UtcNow;
            session.Events.Append(chat,
                new MessageEdited(chat, "never-sent", "ayu", "ghost", at),
                new MessageDeleted(chat, "never-sent", "ayu", at),
                new MessageSent(chat, first, 99, "ayu", "again", null, at),
                new ReactionAdded(chat, first, "ayu", "🔥", at));
            await session.SaveChangesAsync();
        }
        await AsyncViewsCaughtUp();
        var live = await StoredViews.CaptureAsync(Store);

        await Store.RebuildAsync("threads", new SynchronousProgress<ViewRebuilder.Progress>(_ => { }), SmallPages, CancellationToken.None);

        var rebuilt = await StoredViews.CaptureAsync(Store);
        rebuilt.ShouldMatch(live);
        rebuilt.Keys.ShouldContain(k => k.StartsWith("MessageState/") && k.Contains("never-sent"));
    }
}
