using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// The thread's <c>version</c> is the last change its viewer may see: what others do out of the viewer's sight (a
/// pending recipient reads, declines, blocks or reports; a member mutes) never moves it, and time travel to any
/// version reads the same to them, so it can neither tell nor date a hidden decision.
/// </summary>
public sealed class ThreadVersionSpecs(AppFixture app) : AppSpec(app)
{
    /// <summary>Everything the requester reads of the thread: now, and as of every version up to a few past the end.</summary>
    private async Task<IReadOnlyList<string>> WhatAyuSees(string id, int versions)
    {
        var seen = new List<string> { await (await As("ayu").Get($"/conversations/{id}")).ReadAsTextAsync() };
        for (var version = 1; version <= versions; version++)
        {
            var result = await As("ayu").Probe($"/conversations/{id}?asOfVersion={version}");
            seen.Add($"{result.Context.Response.StatusCode} {await result.ReadAsTextAsync()}");
        }
        return seen;
    }

    [Theory]
    [InlineData("decline")]
    [InlineData("block")]
    [InlineData("report")]
    public async Task a_pending_recipients_read_and_decision_leave_everything_the_requester_reads_of_the_thread_as_it_was(string decision)
    {
        var id = await As("ayu").StartConversation("budi");
        var first = await As("ayu").Say(id, "are you there?");
        var before = await WhatAyuSees(id, 8);

        await As("budi").Post($"/conversations/{id}/read", new { upToMessageId = first });
        (await WhatAyuSees(id, 8)).ShouldBe(before, "a pending recipient's read is no read receipt");
        await As("budi").Post($"/conversations/{id}/{decision}", decision == "report" ? new { reason = "spam" } : null);

        (await WhatAyuSees(id, 8)).ShouldBe(before);
    }

    [Fact]
    public async Task a_members_mute_moves_only_their_own_version()
    {
        await As("budi").Follow("ayu");
        var id = await As("ayu").StartConversation("budi");
        var ayuBefore = await WhatAyuSees(id, 5);
        var budiVersion = (await As("budi").Thread(id)).Version;

        await As("budi").Post($"/conversations/{id}/mute");

        (await WhatAyuSees(id, 5)).ShouldBe(ayuBefore);
        (await As("budi").Thread(id)).Version.ShouldBeGreaterThan(budiVersion);
    }

    [Fact]
    public async Task what_every_member_may_see_moves_everyones_version()
    {
        await As("budi").Follow("ayu");
        var id = await As("ayu").StartConversation("budi");
        var before = ((await As("ayu").Thread(id)).Version, (await As("budi").Thread(id)).Version);

        await As("budi").Say(id, "hello back");

        (await As("ayu").Thread(id)).Version.ShouldBeGreaterThan(before.Item1);
        (await As("budi").Thread(id)).Version.ShouldBeGreaterThan(before.Item2);
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("decline")]
    [InlineData("block")]
    [InlineData("report")]
    public async Task a_requester_who_blocks_the_recipient_is_warned_of_them_alike_whatever_they_decided(string decision)
    {
        var id = await As("ayu").StartConversation("budi");
        if (decision != "pending") await As("budi").Post($"/conversations/{id}/{decision}", decision == "report" ? new { reason = "spam" } : null);

        await As("ayu").Post("/blocks/budi");

        var thread = await As("ayu").Thread(id);
        thread.BlockedMembers.ShouldBe(["budi"], "to ayu, budi is still invited, so the warning holds whatever budi decided");
        thread.Members.Single(m => m.UserId == "budi").Status.ShouldBe("invited");
    }
}
