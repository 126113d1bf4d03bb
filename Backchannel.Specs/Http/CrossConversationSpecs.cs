using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// Ids a client chooses are scoped to where they are used (PRODUCT.md): the same message id in two conversations names
/// two messages, and nothing done in one conversation changes another. Proved for the class: every command that names
/// a message is sent by an outsider, in her own conversation, with the id of a message of someone else's, and then
/// every stored document is compared: only documents of her own conversation may change.
/// </summary>
public sealed class CrossConversationSpecs(AppFixture app) : AppSpec(app)
{
    private const string SharedId = "msg-0001";

    /// <summary>ayu and budi talk in one conversation; xena, in no way a member of it, talks with yuki in another.</summary>
    private async Task<(string Victims, string Own)> TwoConversations()
    {
        await As("budi").Follow("ayu");
        var victims = await As("ayu").StartConversation("budi");
        await As("budi").Post($"/conversations/{victims}/messages", new { text = "budi's words", messageId = SharedId }, 201);
        await As("ayu").Post($"/conversations/{victims}/messages/{SharedId}/reactions", new { emoji = "👍" });
        await As("yuki").Follow("xena");
        var own = await As("xena").StartConversation("yuki");
        return (victims, own);
    }

    /// <summary>Every command that names a message, sent by xena in her own conversation with the shared id.</summary>
    private async Task EveryMessageCommand(string own)
    {
        var xena = As("xena");
        await xena.Post($"/conversations/{own}/messages", new { text = "xena's words", messageId = SharedId }, 201);
        await xena.Put($"/conversations/{own}/messages/{SharedId}", new { text = "xena edited" });
        await xena.Post($"/conversations/{own}/messages", new { text = "a reply", replyTo = SharedId }, 201);
        await xena.Post($"/conversations/{own}/messages/{SharedId}/reactions", new { emoji = "👍" });
        await xena.Delete($"/conversations/{own}/messages/{SharedId}/reactions/👍");
        await As("yuki").Post($"/conversations/{own}/read", new { upToMessageId = SharedId });
        await As("yuki").Post($"/conversations/{own}/messages/{SharedId}/report", new { reason = "spam" });
        await xena.Delete($"/conversations/{own}/messages/{SharedId}");
    }

    [Fact]
    public async Task every_command_naming_a_message_id_in_ones_own_conversation_changes_no_document_of_another()
    {
        var (victims, own) = await TwoConversations();
        await AsyncViewsCaughtUp();
        var before = await StoredViews.CaptureAsync(Store);
        var threadBefore = await As("ayu").Get($"/conversations/{victims}");
        var inboxBefore = await As("budi").Get("/inbox");

        await EveryMessageCommand(own);
        await AsyncViewsCaughtUp();

        var after = await StoredViews.CaptureAsync(Store);
        before.Keys.Except(after.Keys).ShouldBeEmpty("no document disappears");
        var changed = after.Where(d => !before.TryGetValue(d.Key, out var json) || json != d.Value).ToList();
        changed.ShouldNotBeEmpty();
        changed.Where(d => !d.Value.Contains(own)).Select(d => d.Key)
            .ShouldBeEmpty("only documents of xena's own conversation may change");
        (await (await As("ayu").Get($"/conversations/{victims}")).ReadAsTextAsync())
            .ShouldBe(await threadBefore.ReadAsTextAsync(), "the victims' thread reads exactly as before");
        (await (await As("budi").Get("/inbox")).ReadAsTextAsync()).ShouldBe(await inboxBefore.ReadAsTextAsync());
    }

    [Fact]
    public async Task an_id_claimed_first_in_another_conversation_takes_nothing_from_the_conversation_that_uses_it_next()
    {
        await As("yuki").Follow("xena");
        var own = await As("xena").StartConversation("yuki");
        await As("xena").Post($"/conversations/{own}/messages", new { text = "claimed", messageId = SharedId }, 201);
        await As("budi").Follow("ayu");
        var victims = await As("ayu").StartConversation("budi");

        await As("budi").Post($"/conversations/{victims}/messages", new { text = "budi's words", messageId = SharedId }, 201);
        await As("budi").Put($"/conversations/{victims}/messages/{SharedId}", new { text = "budi's words, edited" });

        var victimsThread = await As("ayu").Thread(victims);
        victimsThread.Messages.Single(m => m.Id == SharedId).ShouldSatisfyAllConditions(
            m => m.Author.ShouldBe("budi"), m => m.Text.ShouldBe("budi's words, edited"), m => m.ConversationId.ShouldBe(victims));
        var ownThread = await As("xena").Thread(own);
        ownThread.Messages.Single(m => m.Id == SharedId).ShouldSatisfyAllConditions(
            m => m.Author.ShouldBe("xena"), m => m.Text.ShouldBe("claimed"), m => m.Edits.ShouldBe(0));
        (await As("ayu").Inbox()).Single().LastMessage!.Text.ShouldBe("budi's words, edited");
    }

    [Fact]
    public async Task the_same_message_id_in_two_conversations_is_two_messages_in_the_unread_counts_too()
    {
        var (victims, own) = await TwoConversations();
        await As("xena").Post($"/conversations/{own}/messages", new { text = "xena's words", messageId = SharedId }, 201);
        await As("xena").Delete($"/conversations/{own}/messages/{SharedId}");

        var unread = (await As("ayu").Inbox()).Single(i => i.ConversationId == victims).UnreadCount;
        unread.ShouldBe(1, "budi's message is still unread for ayu: xena's delete of her own message touched nothing of it");
    }
}
