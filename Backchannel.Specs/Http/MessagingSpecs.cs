using Backchannel.Host.Http;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>Members talking: edits, tombstones, reactions, read markers, unread counts, mute, leave, paging, history.</summary>
public sealed class MessagingSpecs(AppFixture app) : AppSpec(app)
{
    private async Task<string> Talking()
    {
        await As("budi").Follow("ayu");
        return await As("ayu").StartConversation("budi");
    }

    [Fact]
    public async Task a_message_sent_again_with_its_client_chosen_id_is_stored_once_and_that_id_is_the_senders_alone()
    {
        var id = await Talking();
        var body = new { text = "did this arrive?", messageId = "client-7f3a" };
        var first = await (await As("budi").Post($"/conversations/{id}/messages", body, 201)).ReadAsJsonAsync<MessageCreated>();
        var retry = await (await As("budi").Post($"/conversations/{id}/messages", body, 201)).ReadAsJsonAsync<MessageCreated>();

        (first!.MessageId, retry!.MessageId).ShouldBe(("client-7f3a", "client-7f3a"));
        (await As("ayu").Thread(id)).Messages.Count(m => m.Id == "client-7f3a").ShouldBe(1);
        (await As("ayu").Refused(c => c.Post($"/conversations/{id}/messages", new { text = "mine now", messageId = "client-7f3a" }, 409)))
            .Extensions["code"]!.ToString().ShouldBe("message_id_taken");
        async Task<long> Version()
        {
            await using var session = Store.QuerySession();
            return (await session.Events.FetchStreamStateAsync(id))!.Version;
        }
        var version = await Version();
        (await As("ayu").Refused(c => c.Post($"/conversations/{id}/messages", new { text = "x", messageId = "not an id" }, 400)))
            .Extensions["errors"]!.ToString()!.ShouldContain("\"messageId\"");
        (await Version()).ShouldBe(version, "a refused message appends nothing");
    }

    [Fact]
    public async Task a_conversations_stored_state_does_not_grow_with_its_thread_yet_decisions_still_see_each_message()
    {
        var id = await Talking();
        var first = await As("budi").Say(id, "first");
        async Task<int> StoredStateLength()
        {
            await using var session = Store.QuerySession();
            return (await session.Json.FindByIdAsync<Backchannel.Domain.Conversations.Conversation>(id))!.Length;
        }
        var before = await StoredStateLength();
        for (var i = 0; i < 30; i++) await As(i % 2 == 0 ? "ayu" : "budi").Say(id, $"message {i}");

        // Only counters change (the last sequence, read markers): a few digits, not a record per message.
        (await StoredStateLength()).ShouldBeLessThan(before + 8);
        await As("ayu").Post($"/conversations/{id}/messages/{first}/reactions", new { emoji = "🔥" });
        (await As("ayu").Refused(c => c.Put($"/conversations/{id}/messages/{first}", new { text = "hijacked" }, 403)))
            .Extensions["code"]!.ToString().ShouldBe("not_the_author");
        (await As("budi").Thread(id)).Messages.Single(m => m.Id == first).Reactions.Single().By.ShouldBe(["ayu"]);
    }

    [Fact]
    public async Task only_the_author_edits_and_the_thread_shows_the_edit()
    {
        var id = await Talking();
        var message = await As("budi").Say(id, "helo");

        var problem = await As("ayu").Refused(c => c.Put($"/conversations/{id}/messages/{message}", new { text = "hijacked" }, 403));
        problem.Extensions["code"]!.ToString().ShouldBe("not_the_author");
        await As("budi").Put($"/conversations/{id}/messages/{message}", new { text = "hello" });

        var edited = (await As("ayu").Thread(id)).Messages.Single(m => m.Id == message);
        (edited.Text, edited.Edits, edited.EditedAt is not null).ShouldBe(("hello", 1, true));
    }

    [Fact]
    public async Task a_deleted_message_leaves_a_tombstone_in_the_thread_and_the_inbox()
    {
        var id = await Talking();
        var message = await As("budi").Say(id, "oops");
        await As("budi").Delete($"/conversations/{id}/messages/{message}");

        var tombstone = (await As("ayu").Thread(id)).Messages.Single(m => m.Id == message);
        (tombstone.Text, tombstone.Deleted).ShouldBe((null, true));
        var preview = (await As("ayu").Inbox()).Single().LastMessage!;
        (preview.Text, preview.Deleted).ShouldBe((null, true));
    }

    [Fact]
    public async Task reactions_are_added_and_withdrawn()
    {
        var id = await Talking();
        var message = await As("budi").Say(id);
        await As("ayu").Post($"/conversations/{id}/messages/{message}/reactions", new { emoji = "🔥" });
        (await As("budi").Thread(id)).Messages.Single(m => m.Id == message).Reactions.Single().By.ShouldBe(["ayu"]);

        await As("ayu").Delete($"/conversations/{id}/messages/{message}/reactions/{Uri.EscapeDataString("🔥")}");
        (await As("budi").Thread(id)).Messages.Single(m => m.Id == message).Reactions.ShouldBeEmpty();
    }

    [Fact]
    public async Task unread_counts_count_others_messages_after_the_read_marker()
    {
        var id = await Talking();
        await As("budi").Say(id);
        var last = await As("budi").Say(id);
        await As("ayu").Say(id, "mine do not count... for me");

        (await As("ayu").Inbox()).Single().UnreadCount.ShouldBe(0, "writing reads everything before it");
        (await As("budi").Inbox()).Single().UnreadCount.ShouldBe(1);
        await As("budi").Post($"/conversations/{id}/read", new { upToMessageId = (await As("budi").Thread(id)).Messages[^1].Id });
        (await As("budi").Inbox()).Single().UnreadCount.ShouldBe(0);
        (await As("ayu").Thread(id)).Members.Single(m => m.UserId == "budi").ReadUpToMessageId.ShouldNotBe(last);
    }

    [Fact]
    public async Task muting_shows_in_the_inbox_and_unmuting_undoes_it()
    {
        var id = await Talking();
        await As("budi").Post($"/conversations/{id}/mute");
        (await As("budi").Inbox()).Single().Muted.ShouldBeTrue();
        await As("budi").Delete($"/conversations/{id}/mute");
        (await As("budi").Inbox()).Single().Muted.ShouldBeFalse();
    }

    [Fact]
    public async Task someone_who_left_loses_the_conversation_and_cannot_write_in_it()
    {
        var id = await Talking();
        await As("budi").Post($"/conversations/{id}/leave");

        (await As("budi").Inbox()).ShouldBeEmpty();
        var problem = await As("budi").Refused(c => c.Post($"/conversations/{id}/messages", new { text = "back" }, 403));
        problem.Extensions["code"]!.ToString().ShouldBe("not_a_member");
        (await As("ayu").Thread(id)).Members.Single(m => m.UserId == "budi").Status.ShouldBe("left");
    }

    [Fact]
    public async Task the_thread_pages_backwards_from_the_newest_messages()
    {
        var id = await Talking();
        for (var i = 2; i <= 7; i++) await As(i % 2 == 0 ? "budi" : "ayu").Say(id, $"message {i}");

        var newest = await As("ayu").Thread(id, "?limit=3");
        newest.Messages.Select(m => m.Sequence).ShouldBe([5L, 6, 7]);
        newest.NextBefore.ShouldBe(5);
        var older = await As("ayu").Thread(id, $"?limit=3&before={newest.NextBefore}");
        older.Messages.Select(m => m.Sequence).ShouldBe([2L, 3, 4]);
        (await As("ayu").Thread(id, $"?limit=3&before={older.NextBefore}")).Messages.Select(m => m.Sequence).ShouldBe([1L]);
    }

    [Fact]
    public async Task the_thread_can_be_read_as_of_an_earlier_version()
    {
        var id = await Talking();
        var message = await As("budi").Say(id, "first draft");
        var version = (await As("ayu").Thread(id)).Version;
        await As("budi").Put($"/conversations/{id}/messages/{message}", new { text = "second draft" });

        var then = await As("ayu").Thread(id, $"?asOfVersion={version}");
        then.Messages.Single(m => m.Id == message).Text.ShouldBe("first draft");
        then.Version.ShouldBe(version);
        (await As("ayu").Thread(id)).Messages.Single(m => m.Id == message).Text.ShouldBe("second draft");
    }

    [Fact]
    public async Task the_thread_can_be_read_as_of_an_earlier_time()
    {
        var id = await Talking();
        var message = await As("budi").Say(id, "first draft");
        await As("budi").Put($"/conversations/{id}/messages/{message}", new { text = "second draft" });
        // asOf reads the events' stored timestamps (the database's clock), so the instant between is taken from them.
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        var sent = events.Single(e => e.Data is Backchannel.Domain.Conversations.MessageSent m && m.MessageId == message).Timestamp;
        var edited = events.Single(e => e.Data is Backchannel.Domain.Conversations.MessageEdited m && m.MessageId == message).Timestamp;
        edited.ShouldBeGreaterThan(sent);
        var between = sent + (edited - sent) / 2;

        var then = await As("ayu").Thread(id, $"?asOf={Uri.EscapeDataString(between.ToString("O"))}");
        then.Messages.Single(m => m.Id == message).Text.ShouldBe("first draft");
        await As("ayu").Get($"/conversations/{id}?asOf={Uri.EscapeDataString(between.ToString("O"))}&asOfVersion=2", 400);
    }

    [Theory]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=1000", "limit")]
    [InlineData("?before=0", "before")]
    [InlineData("?asOfVersion=0", "asOfVersion")]
    public async Task thread_paging_out_of_range_is_a_400_naming_the_parameter(string query, string field)
    {
        var id = await Talking();
        var problem = await As("ayu").Refused(c => c.Get($"/conversations/{id}{query}", 400));
        problem.Extensions["errors"]!.ToString()!.ShouldContain($"\"{field}\"");
    }

    [Fact]
    public async Task nobody_outside_a_conversation_can_read_it()
    {
        var id = await Talking();
        await As("cici").Get($"/conversations/{id}", 404);
        await As("cici").Get($"/conversations/{id}?asOfVersion=1", 404);
        await As("cici").Get("/conversations/no-such-thing", 404);
    }
}
