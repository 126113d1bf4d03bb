using Alba;
using Backchannel.Host;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// A commit wakes the daemon (PostgreSQL LISTEN/NOTIFY) and the daemon's commit of push items wakes the node's feed
/// watcher: a message reaches the other member's stream at once although both polls are set to ten minutes. Without
/// either wake-up it would wait out a poll, long past the stream's patience.
/// </summary>
public sealed class WakeOnCommitSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task a_message_reaches_the_other_member_without_waiting_for_a_poll()
    {
        // A schema of its own, so that this host's daemon is the only one on its events.
        await using var node = await AlbaHost.For<Program>(b => b
            .UseSetting("Backchannel:Schema", $"wake_{Guid.NewGuid():N}"[..20])
            .UseSetting("Backchannel:DaemonPolling", "00:10:00")
            .UseSetting("Backchannel:PushPolling", "00:10:00"));
        var ayu = new Caller(node, App.TokenFor("ayu"));
        var budi = new Caller(node, App.TokenFor("budi"));
        await ayu.Follow("budi");
        await budi.Follow("ayu");
        await using var budisStream = await PushStream.OpenAsync(node.Server.CreateClient(), App.TokenFor("budi"));
        await budisStream.NextAsync("ready");

        var started = await ayu.StartConversation("first", ["budi"]);
        await budisStream.NextAsync("conversation");
        (await budisStream.NextAsync("message_sent")).Text("text").ShouldBe("first");

        var second = await ayu.Say(started.ConversationId, "second");
        var seen = await budisStream.UntilAsync(e => e.Kind == "message_sent" && e.Text("messageId") == second);
        seen[^1].Text("text").ShouldBe("second");
    }
}
