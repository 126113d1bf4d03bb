using Backchannel.Domain.Common;

using Backchannel.Projections;
using Alba;
using Backchannel.Host;
using Backchannel.Specs.Support;
using JasperFx.Events.Daemon;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// Two nodes on one database: the fixture's host runs the daemon, a second host runs none. Delivery reads the
/// database, so a client on either node sees what was sent through the other.
/// </summary>
public sealed class MultiNodeSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task a_client_on_one_node_sees_a_message_sent_through_the_other()
    {
        await using var node2 = await AlbaHost.For<Program>(b => b.UseSetting("Backchannel:Daemon", nameof(DaemonChoice.Off)));
        RunningDaemons(Host).ShouldNotBeEmpty("node 1 runs the daemon");
        RunningDaemons(node2).ShouldBeEmpty("node 2 runs no daemon of its own");
        await As("budi").Follow("ayu");
        await As("ayu").Follow("budi");
        await AsyncViewsCaughtUp();
        await using var budiOnNode2 = await PushStream.OpenAsync(node2.Server.CreateClient(), App.TokenFor("budi"));
        await budiOnNode2.NextAsync("ready");
        await using var ayuOnNode1 = await ListenFromNow("ayu");

        var sentThroughNode1 = await As("ayu").StartConversation("from node 1", ["budi"]);
        await budiOnNode2.NextAsync("conversation");
        (await budiOnNode2.NextAsync("message_sent")).Text("text").ShouldBe("from node 1");

        var throughNode2 = new Caller(node2, App.TokenFor("budi"));
        var reply = await throughNode2.Say(sentThroughNode1.ConversationId, "from node 2");
        var seen = await ayuOnNode1.UntilAsync(e => e.Kind == "message_sent" && e.Text("messageId") == reply);
        seen[^1].Text("text").ShouldBe("from node 2");
    }

    private static IEnumerable<object> RunningDaemons(IAlbaHost node) =>
        node.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<JasperFx.Events.Daemon.IProjectionCoordinator>();
}
