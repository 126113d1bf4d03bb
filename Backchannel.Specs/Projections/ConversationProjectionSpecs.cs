using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using static Backchannel.Specs.Support.History;

namespace Backchannel.Specs.Projections;

/// <summary>The inline conversation views, built by Marten from events appended to a real PostgreSQL.</summary>
public sealed class ConversationProjectionSpecs(AppFixture app) : AppSpec(app)
{
    private async Task Append(params object[] events)
    {
        await using var session = Store.LightweightSession();
        session.Events.Append(ConversationId, events);
        await session.SaveChangesAsync();
    }

    private async Task<ConversationView> View()
    {
        await using var session = Store.QuerySession();
        return (await session.LoadAsync<ConversationView>(ConversationId))!;
    }

    [Fact]
    public async Task a_request_puts_the_conversation_in_the_recipients_requests_and_an_admission_in_their_inbox()
    {
        await Append(GroupRequest());

        var view = await View();
        view.InboxOf.ShouldBe(["ayu", "cici"], ignoreOrder: true);
        view.RequestsOf.ShouldBe(["budi"]);
        view.RoomId.ShouldBe("room-7");
        view.OpeningMessage!.Text.ShouldBe("Join us after the room?");
        view.MemberOf("budi")!.InvitedBy.ShouldBe("ayu");
    }

    [Fact]
    public async Task accepting_moves_the_conversation_from_requests_to_inbox()
    {
        await Append([.. GroupRequest(), new RequestAccepted(ConversationId, "ayu", "budi", false, At(1))]);

        var view = await View();
        view.InboxOf.ShouldContain("budi");
        view.RequestsOf.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(typeof(RequestDeclined))]
    [InlineData(typeof(RequesterBlocked))]
    [InlineData(typeof(RequestReported))]
    public async Task a_declined_request_is_in_neither_of_the_recipients_inboxes(Type decision)
    {
        object declined = decision == typeof(RequestDeclined) ? new RequestDeclined(ConversationId, "ayu", "budi", At(1))
            : decision == typeof(RequesterBlocked) ? new RequesterBlocked(ConversationId, "ayu", "budi", At(1))
            : new RequestReported(ConversationId, "ayu", "budi", "spam", At(1));
        await Append([.. GroupRequest(), declined]);

        var view = await View();
        view.InboxOf.ShouldNotContain("budi");
        view.RequestsOf.ShouldNotContain("budi");
    }

    [Fact]
    public async Task the_previews_follow_edits_and_deletions_and_read_markers_follow_reads()
    {
        await Append(BusyGroup());

        var view = await View();
        view.Title.ShouldBe("After the room");
        view.LastMessage.ShouldBe(new MessagePreview("m4", 4, "ayu", MessageKind.Message, null, At(7), Deleted: true));
        view.MemberOf("cici")!.ReadUpToMessageId.ShouldBe("m3");
        view.MemberOf("budi")!.Muted.ShouldBeTrue();
        view.MemberOf("budi")!.ReadUpToSequence.ShouldBe(3, "writing a message reads everything before it");
    }

    [Fact]
    public async Task thread_messages_keep_edits_tombstones_and_reactions()
    {
        await Append(BusyGroup());

        await using var session = Store.QuerySession();
        var messages = (await session.Query<MessageState>().Where(m => m.ConversationId == ConversationId).ToListAsync())
            .OrderBy(m => m.Sequence).Select(m => m.ToView()).ToList();
        messages.Select(m => m.Sequence).ShouldBe([1L, 2, 3, 4]);
        messages[0].Reactions.ShouldHaveSingleItem().By.ShouldBe(["cici", "budi"]);
        messages[1].Reactions.ShouldBeEmpty();
        messages[1].ReplyTo.ShouldBe("m1");
        messages[2].Text.ShouldBe("Me too, after 8");
        messages[2].Edits.ShouldBe(1);
        messages[3].Deleted.ShouldBeTrue();
        messages[3].Text.ShouldBeNull();
    }

    [Fact]
    public async Task an_emoji_keeps_its_place_while_anyone_still_reacts_with_it()
    {
        await Append([.. BusyGroup(),
            new ReactionAdded(ConversationId, "m2", "ayu", "👍", At(12)),
            new ReactionAdded(ConversationId, "m2", "budi", "❤️", At(13)),
            new ReactionAdded(ConversationId, "m2", "cici", "👍", At(14)),
            new ReactionWithdrawn(ConversationId, "m2", "ayu", "👍", At(15)),
            new ReactionWithdrawn(ConversationId, "m2", "budi", "❤️", At(16)),
            new ReactionAdded(ConversationId, "m2", "budi", "❤️", At(17))]);

        await using var session = Store.QuerySession();
        var message = (await session.LoadAsync<MessageState>(MessageState.Key(ConversationId, "m2")))!.ToView();
        message.Reactions.Select(r => (r.Emoji, string.Join(",", r.By))).ShouldBe([("👍", "cici"), ("❤️", "budi")],
            "👍 stays first while cici still reacts with it; ❤️ left when its last reactor withdrew, and came back last");
    }

    [Fact]
    public async Task a_message_is_stored_once_for_its_thread_and_its_decisions_and_its_thread_never_says_who_reported_it()
    {
        await Append([.. BusyGroup(),
            new MessageReported(ConversationId, "m2", "ayu", "cici", "spam", At(12)),
            new ReactionAdded(ConversationId, "m4", "ayu", "🔥", At(13))]);

        await using var session = Store.QuerySession();
        var stored = (await session.LoadAsync<MessageState>(MessageState.Key(ConversationId, "m2")))!;
        stored.ReportedBy.ShouldBe(["ayu"], "the decision that refuses a second report reads it");
        Store.Options.Serializer().ToJson(stored.ToView()).ShouldNotContain("ayu");
        typeof(MessageView).GetProperties().Select(p => p.Name).ShouldNotContain(nameof(MessageState.ReportedBy));

        var deleted = (await session.LoadAsync<MessageState>(MessageState.Key(ConversationId, "m4")))!;
        deleted.ToView().Reactions.ShouldBeEmpty("a tombstone shows no reactions");
        deleted.ToView().Text.ShouldBeNull();
    }

    [Fact]
    public async Task unread_counts_are_others_live_messages_after_the_read_marker()
    {
        await Append([.. BusyGroup(), new MessageSent(ConversationId, "m5", 5, "cici", "See you", null, At(12))]);

        await using var session = Store.QuerySession();
        var view = await View();
        (await session.UnreadCountsAsync("cici", [view], default))[ConversationId].ShouldBe(0, "cici wrote the last one");
        (await session.UnreadCountsAsync("ayu", [view], default))[ConversationId].ShouldBe(1, "writing m4 read all before it; m5 is new");
        (await session.UnreadCountsAsync("budi", [view], default))[ConversationId].ShouldBe(1, "budi wrote m3, m4 is deleted, m5 is new");
    }
}
