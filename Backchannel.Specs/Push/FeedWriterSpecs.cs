using Backchannel.Projections.Push;
using JasperFx.Events;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>How the push feed's items are cut from the recipients each event is routed to.</summary>
public sealed class FeedWriterSpecs
{
    private sealed record Said(string Text);

    private static IEvent At(long position) => new Event<Said>(new Said("hi")) { Sequence = position, StreamKey = "c1" };

    [Fact]
    public void recipients_told_the_same_thing_of_one_event_share_one_item_and_the_next_event_starts_its_own()
    {
        var feed = new FeedWriter();
        var message = new Said("hello");
        var first = At(7);
        feed.Add("ayu", first, "message", DateTimeOffset.UnixEpoch, message);
        feed.Add("budi", first, "message", DateTimeOffset.UnixEpoch, message);
        var next = At(8);
        feed.Add("ayu", next, "message", DateTimeOffset.UnixEpoch, message);

        feed.Written().Select(i => (i.Id, i.Position, string.Join(",", i.Recipients))).ShouldBe(
            [(FeedItem.IdOf(7, 0), 7L, "ayu,budi"), (FeedItem.IdOf(8, 0), 8L, "ayu")]);
    }

    [Fact]
    public void each_recipient_of_a_payload_shaped_for_them_gets_an_item_of_their_own_numbered_within_the_event()
    {
        var feed = new FeedWriter();
        var e = At(7);
        feed.Add("ayu", e, "conversation", DateTimeOffset.UnixEpoch, new Said("as ayu sees it"));
        feed.Add("budi", e, "conversation", DateTimeOffset.UnixEpoch, new Said("as budi sees it"));

        feed.Written().Select(i => (i.Id, string.Join(",", i.Recipients), i.Data.GetProperty("text").GetString())).ShouldBe(
            [(FeedItem.IdOf(7, 0), "ayu", "as ayu sees it"), (FeedItem.IdOf(7, 1), "budi", "as budi sees it")]);
        FeedItem.IdOf(7, 1).ShouldBeGreaterThan(FeedItem.IdOf(7, 0));
        FeedItem.IdOf(8, 0).ShouldBeGreaterThan(FeedItem.IdOf(7, FeedItem.MaxItemsPerEvent - 1), "ids sort as the feed does");
    }

    [Fact]
    public void a_recipient_routed_twice_for_one_event_is_told_once()
    {
        var feed = new FeedWriter();
        var e = At(7);
        feed.Add("ayu", e, "conversation", DateTimeOffset.UnixEpoch, new Said("first"));
        feed.Add("ayu", e, "conversation", DateTimeOffset.UnixEpoch, new Said("second"));
        var message = new Said("hello");
        feed.Add("budi", e, "message", DateTimeOffset.UnixEpoch, message);
        feed.Add("budi", e, "message", DateTimeOffset.UnixEpoch, message);

        feed.Written().SelectMany(i => i.Recipients).ShouldBe(["ayu", "budi"]);
        feed.Written()[0].Data.GetProperty("text").GetString().ShouldBe("first");
    }

    [Fact]
    public void looking_at_the_items_while_an_event_is_routed_does_not_split_its_item()
    {
        var feed = new FeedWriter();
        var message = new Said("hello");
        var e = At(7);
        feed.Add("ayu", e, "message", DateTimeOffset.UnixEpoch, message);
        // A removal by moderation looks at the batch's items in the middle of routing.
        feed.Items.Count.ShouldBe(1);
        feed.Add("budi", e, "message", DateTimeOffset.UnixEpoch, message);

        feed.Written().Select(i => (i.Id, string.Join(",", i.Recipients))).ShouldBe([(FeedItem.IdOf(7, 0), "ayu,budi")]);
    }

    [Fact]
    public void an_event_that_would_give_more_items_than_an_id_can_number_is_refused_rather_than_colliding() =>
        Should.Throw<InvalidOperationException>(() => FeedItem.IdOf(7, FeedItem.MaxItemsPerEvent));

    [Fact]
    public void two_sources_may_not_route_one_event_type_since_an_events_items_are_numbered_by_one() =>
        Should.Throw<InvalidOperationException>(() => new PushFeedProjection(new ConversationFeedSource(), new ConversationFeedSource()))
            .Message.ShouldContain("two push feed sources");

    [Fact]
    public void a_writer_that_keeps_from_a_time_leaves_out_the_items_of_earlier_events_and_notes_how_far()
    {
        var keepsFrom = DateTimeOffset.UnixEpoch.AddDays(7);
        var feed = new FeedWriter(keepsFrom);
        var message = new Said("hello");
        feed.Add("ayu", At(7), "message", keepsFrom.AddTicks(-1), message);
        feed.Add("ayu", At(9), "message", keepsFrom.AddTicks(-1), message);
        feed.Add("ayu", At(8), "message", keepsFrom, message);

        feed.Written().Select(i => i.Position).ShouldBe([8L], "an item of an event at the first time kept is written");
        feed.LeftOutThrough.ShouldBe(9, "the last position left out, whatever the order of the times");
        new FeedWriter().LeftOutThrough.ShouldBe(0);
    }
}
