using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

public sealed class BlockingAndGroupSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task a_blocked_persons_requests_never_arrive_until_the_block_is_lifted()
    {
        await As("budi").Post("/blocks/ayu");
        await As("ayu").StartConversation("budi");
        (await As("budi").Requests()).ShouldBeEmpty();

        await As("budi").Delete("/blocks/ayu");
        await As("ayu").StartConversation("budi");
        (await As("budi").Requests()).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task you_cannot_start_a_conversation_with_someone_you_blocked()
    {
        await As("ayu").Post("/blocks/budi");
        var problem = await As("ayu").Refused(c => c.Post("/conversations", new { to = new[] { "budi" }, text = "hi" }, 403));
        problem.Extensions["code"]!.ToString().ShouldBe("recipient_blocked_by_you");
    }

    [Fact]
    public async Task a_group_warns_a_member_who_blocked_someone_in_it()
    {
        await As("budi").Follow("ayu");
        await As("cici").Follow("ayu");
        var id = (await As("ayu").StartConversation("welcome", ["budi", "cici"])).ConversationId;
        await As("budi").Post("/blocks/cici");

        (await As("budi").Thread(id)).BlockedMembers.ShouldBe(["cici"]);
        (await As("budi").Inbox()).Single().BlockedMembers.ShouldBe(["cici"]);
        (await As("ayu").Thread(id)).BlockedMembers.ShouldBeEmpty();
    }

    [Fact]
    public async Task a_group_is_named_by_its_members_but_a_direct_conversation_is_not()
    {
        await As("budi").Follow("ayu");
        var group = (await As("ayu").StartConversation("hi all", ["budi", "cici"])).ConversationId;
        await As("budi").Put($"/conversations/{group}/title", new { title = "Planning" });
        (await As("ayu").Thread(group)).Title.ShouldBe("Planning");

        var direct = await As("ayu").StartConversation("budi");
        var problem = await As("budi").Refused(c => c.Put($"/conversations/{direct}/title", new { title = "Us" }, 409));
        problem.Extensions["code"]!.ToString().ShouldBe("not_a_group");
    }

    [Fact]
    public async Task a_new_member_decides_like_a_recipient_and_only_the_creator_removes_members()
    {
        await As("budi").Follow("ayu");
        await As("cici").Follow("ayu");
        var id = (await As("ayu").StartConversation("hi all", ["budi", "cici"])).ConversationId;

        await As("budi").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } });
        (await As("dodi").Requests()).ShouldHaveSingleItem().From.ShouldBe("budi");

        var problem = await As("budi").Refused(c => c.Delete($"/conversations/{id}/members/cici", 403));
        problem.Extensions["code"]!.ToString().ShouldBe("not_the_creator");
        await As("ayu").Delete($"/conversations/{id}/members/cici");
        (await As("cici").Inbox()).ShouldBeEmpty();
        await As("cici").Get($"/conversations/{id}", 404);
    }

    [Fact]
    public async Task a_group_holds_at_most_fifteen_members()
    {
        var fourteen = Enumerable.Range(1, 14).Select(i => $"user{i}").ToArray();
        var id = (await As("ayu").StartConversation("big", fourteen)).ConversationId;

        var problem = await As("ayu").Refused(c => c.Post($"/conversations/{id}/members", new { userIds = new[] { "one_more" } }, 409));
        problem.Extensions["code"]!.ToString().ShouldBe("group_full");
        var tooMany = await As("ayu").Refused(c => c.Post("/conversations", new { to = fourteen.Append("one_more"), text = "x" }, 400));
        tooMany.Extensions["errors"]!.ToString()!.ShouldContain("\"to\"");
    }

    /// <summary>ayu's group: budi follows her (in at once), dodi a stranger; dodi then declines.</summary>
    private async Task<string> GroupDodiDeclined()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("hi all", ["budi", "dodi"])).ConversationId;
        await As("dodi").Post($"/conversations/{id}/decline");
        return id;
    }

    [Fact]
    public async Task inviting_a_decliner_again_changes_nothing_the_group_sees_and_never_brings_the_request_back()
    {
        var id = await GroupDodiDeclined();
        var before = await As("ayu").Thread(id);

        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } });
        await As("budi").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi" } });

        (await As("ayu").Thread(id)).ShouldBeEquivalentTo(before);
        (await As("dodi").Requests()).ShouldBeEmpty();
        await As("dodi").Get($"/conversations/{id}", 404);
    }

    [Fact]
    public async Task removing_a_decliner_answers_and_shows_exactly_what_removing_someone_still_invited_does()
    {
        var id = await GroupDodiDeclined();
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = new[] { "eka" } });

        await As("ayu").Delete($"/conversations/{id}/members/dodi");
        await As("ayu").Delete($"/conversations/{id}/members/eka");

        var members = (await As("ayu").Thread(id)).Members;
        members.Single(m => m.UserId == "dodi").ShouldBe(members.Single(m => m.UserId == "eka") with { UserId = "dodi" });
        members.Single(m => m.UserId == "dodi").Status.ShouldBe("removed");
        await As("dodi").Get($"/conversations/{id}", 404);

        await As("budi").Post($"/conversations/{id}/members", new { userIds = new[] { "dodi", "eka" } });
        (await As("ayu").Thread(id)).Members.Where(m => m.UserId is "dodi" or "eka").Select(m => m.Status).ShouldBe(["invited", "invited"]);
        (await As("eka").Requests()).ShouldHaveSingleItem("someone who never answered is asked again");
        (await As("dodi").Requests()).ShouldBeEmpty("a decliner is never asked again in the group they turned down");
    }

    [Fact]
    public async Task a_group_counts_decliners_as_present_like_people_still_invited()
    {
        var id = await GroupDodiDeclined();
        var twelve = Enumerable.Range(1, 12).Select(i => $"user{i}").ToArray();
        await As("ayu").Post($"/conversations/{id}/members", new { userIds = twelve });

        var problem = await As("ayu").Refused(c => c.Post($"/conversations/{id}/members", new { userIds = new[] { "one_more" } }, 409));
        problem.Extensions["code"]!.ToString().ShouldBe("group_full");
    }
}
