using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// PRODUCT.md, history visibility: a member reads the messages sent from when they were invited or joined, not
/// before, and not what was sent while they were away; deleted messages are deleted in every version.
/// </summary>
public sealed class HistoryVisibilitySpecs(AppFixture app) : AppSpec(app)
{
    /// <summary>A group of ayu (its creator), budi and cici, who all follow ayu, with one message before anyone else joins.</summary>
    private async Task<string> Group()
    {
        foreach (var person in new[] { "budi", "cici", "dodi" }) await As(person).Follow("ayu");
        var id = (await As("ayu").StartConversation("before dodi", ["budi", "cici"])).ConversationId;
        await As("budi").Post($"/conversations/{id}/messages", new { text = "still before dodi", messageId = "early-1" }, 201);
        return id;
    }

    [Fact]
    public async Task a_member_added_later_reads_only_what_was_sent_after_they_were_added()
    {
        var id = await Group();
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } }, 204);

        var before = await As("dodi").Thread(id);
        before.Messages.ShouldBeEmpty();
        before.UnreadCount.ShouldBe(0);
        (await As("dodi").Inbox()).Single().LastMessage.ShouldBeNull("the inbox previews no message from before dodi joined");

        await As("cici").Say(id, "welcome dodi");
        var after = await As("dodi").Thread(id);
        after.Messages.Select(m => m.Text).ShouldBe(["welcome dodi"]);
        (await As("dodi").Inbox()).Single().LastMessage!.Text.ShouldBe("welcome dodi");
    }

    [Fact]
    public async Task a_member_added_later_cannot_touch_a_message_from_before_as_if_it_did_not_exist()
    {
        var id = await Group();
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } }, 204);
        var dodi = As("dodi");

        foreach (var refusal in new[]
        {
            await dodi.Refused(c => c.Post($"/conversations/{id}/messages/early-1/reactions", new { emoji = "👍" }, 404)),
            await dodi.Refused(c => c.Post($"/conversations/{id}/messages", new { text = "re", replyTo = "early-1" }, 404)),
            await dodi.Refused(c => c.Post($"/conversations/{id}/read", new { upToMessageId = "early-1" }, 404)),
            await dodi.Refused(c => c.Post($"/conversations/{id}/messages/early-1/report", new { reason = "x" }, 404)),
        })
        {
            refusal.Extensions["code"]!.ToString().ShouldBe("message_not_found");
        }
    }

    [Fact]
    public async Task time_travel_shows_a_later_member_nothing_from_before_they_joined_at_any_version()
    {
        var id = await Group();
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } }, 204);
        await As("cici").Say(id, "welcome dodi");
        var latest = (await As("dodi").Thread(id)).Version;

        for (var version = 1; version <= latest + 2; version++)
        {
            var result = await As("dodi").Probe($"/conversations/{id}?asOfVersion={version}");
            if (result.Context.Response.StatusCode == 404) continue;
            var thread = (await result.ReadAsJsonAsync<Backchannel.Projections.Conversations.ThreadView>())!;
            thread.Messages.Select(m => m.Text).ShouldNotContain("before dodi");
            thread.Messages.Select(m => m.Text).ShouldNotContain("still before dodi");
        }
    }

    [Fact]
    public async Task a_member_who_left_and_came_back_does_not_read_what_was_sent_while_they_were_away()
    {
        var id = await Group();
        await As("cici").Post($"/conversations/{id}/leave");
        await As("budi").Say(id, "while cici was away");
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "cici" } }, 204);
        await As("ayu").Say(id, "cici is back");

        (await As("cici").Thread(id)).Messages.Select(m => m.Text).ShouldBe(["before dodi", "still before dodi", "cici is back"]);
        (await As("budi").Thread(id)).Messages.Select(m => m.Text).ShouldContain("while cici was away");
    }

    [Fact]
    public async Task a_deleted_message_is_a_tombstone_in_every_earlier_version_for_every_member()
    {
        var id = await Group();
        var sentAt = await As("budi").Thread(id);
        await As("budi").Delete($"/conversations/{id}/messages/early-1");

        for (var version = 1; version <= sentAt.Version; version++)
        {
            foreach (var member in new[] { "ayu", "budi", "cici" })
            {
                var result = await As(member).Probe($"/conversations/{id}?asOfVersion={version}");
                if (result.Context.Response.StatusCode == 404) continue;
                var text = await result.ReadAsTextAsync();
                text.ShouldNotContain("still before dodi", customMessage: $"{member} at version {version}");
            }
        }
        var asOfNow = await As("cici").Thread(id, $"?asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}");
        var deletedAt = (await As("cici").Thread(id)).Messages.Single(m => m.Id == "early-1").DeletedAt;
        deletedAt.ShouldNotBeNull();
        asOfNow.Messages.Single(m => m.Id == "early-1").ShouldSatisfyAllConditions(m => m.Deleted.ShouldBeTrue(), m => m.Text.ShouldBeNull(),
            m => m.DeletedAt.ShouldBe(deletedAt, "a version tells of the deletion as the thread does"));
        (await As("budi").Thread(id, $"?asOfVersion={sentAt.Version}")).Messages.Single(m => m.Id == "early-1").DeletedAt.ShouldBe(deletedAt);
    }

    [Fact]
    public async Task a_member_added_later_is_pushed_no_change_to_a_message_from_before_they_joined()
    {
        var id = await Group();
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } }, 204);
        await using var dodi = await ListenFromNow("dodi");

        await As("budi").Put($"/conversations/{id}/messages/early-1", new { text = "edited, still before dodi" });
        await As("ayu").Post($"/conversations/{id}/messages/early-1/reactions", new { emoji = "👍" });
        await As("budi").Delete($"/conversations/{id}/messages/early-1");
        var fence = await As("cici").Say(id, "welcome dodi");

        var seen = await dodi.UntilAsync(e => e.Kind == "message_sent" && e.Text("messageId") == fence);
        seen.Select(e => e.Kind).ShouldBe(["message_sent"], "dodi may not read early-1, so none of its changes reach him");
    }

    [Fact]
    public async Task someone_suppressed_then_removed_and_invited_again_reads_nothing_from_while_they_were_suppressed()
    {
        await As("budi").Follow("ayu");
        await As("xena").Post("/blocks/ayu");
        var id = (await As("ayu").StartConversation("xena never sees this", ["budi", "xena"])).ConversationId;
        await As("budi").Say(id, "sent while xena was suppressed");
        await As("ayu").Delete($"/conversations/{id}/members/xena");
        await As("xena").Delete("/blocks/ayu");

        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "xena" } }, 204);
        await As("ayu").Say(id, "hello xena");

        (await As("xena").Thread(id)).Messages.Select(m => m.Text).ShouldBe(["hello xena"]);
    }
}
