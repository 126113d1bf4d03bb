using Backchannel.Domain.Conversations;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Marten;
using Snapshooter.Xunit;
using static Backchannel.Specs.Support.History;

namespace Backchannel.Specs.Contracts;

/// <summary>The views, as each member sees them, pinned for a fixed history: a change to a view is a visible diff.</summary>
public sealed class ViewContractSpecs(AppFixture app) : AppSpec(app)
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var session = Store.LightweightSession();
        session.CorrelationId = "corr-1";
        session.Events.StartStream<Conversation>(ConversationId, BusyGroup());
        session.Events.StartStream<Conversation>("c-0002", [
            new ConversationStarted("c-0002", ConversationKind.Direct, "dodi", null, null, At(20)),
            new Backchannel.Domain.Requests.RequestSent("c-0002", "dodi", "cici", At(20)),
            new MessageSent("c-0002", "c-0002.1", 1, "dodi", "Loved your question today", null, At(20)),
        ]);
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task the_thread_as_each_member_sees_it()
    {
        await using var session = Store.QuerySession();
        Snapshot.Match(new
        {
            ayu = await session.ThreadAsync("ayu", ConversationId),
            budi = await session.ThreadAsync("budi", ConversationId),
        });
    }

    [Fact]
    public async Task the_inbox_and_the_requests_inbox()
    {
        await using var session = Store.QuerySession();
        Snapshot.Match(new
        {
            ayuInbox = await session.InboxAsync("ayu"),
            ciciInbox = await session.InboxAsync("cici"),
            ciciRequests = await session.RequestsAsync("cici"),
        });
    }

    [Fact]
    public async Task the_audit_log()
    {
        await AsyncViewsCaughtUp();
        await using var session = Store.QuerySession();
        var audit = await session.RequestAuditAsync("ops", isOperator: true, null, null, null);
        Snapshot.Match(audit.Select(e => new { e.Decision, e.Actor, e.Rule, e.Reason, e.Requester, e.Recipient, e.At, e.CorrelationId, e.VisibleTo }));
    }
}
