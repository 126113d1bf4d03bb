using Backchannel.Domain.Conversations;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Rooms;
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
        foreach (var (stream, events) in LiveRoom()) session.Events.StartStream(stream, events);
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

    [Fact]
    public async Task the_room_as_a_listener_and_an_anonymous_asker_see_it()
    {
        await using var session = Store.QuerySession();
        Snapshot.Match(new { cici = (await session.RoomAsync("cici", RoomId)).View, dodi = (await session.RoomAsync("dodi", RoomId)).View });
    }

    [Fact]
    public async Task the_moderation_view_and_the_upcoming_events()
    {
        await using var session = Store.QuerySession();
        Snapshot.Match(new
        {
            moderation = (await session.ModerationAsync("budi", RoomId)).View,
            ekaUpcoming = await session.UpcomingEventsAsync("eka", T0),
            budiUpcoming = await session.UpcomingEventsAsync("budi", T0),
            budiInbox = await session.InboxAsync("budi"),
        });
    }

    [Fact]
    public async Task the_room_audit()
    {
        await AsyncViewsCaughtUp();
        await using var session = Store.QuerySession();
        var audit = await session.RoomAuditAsync(null, null, null, null, null);
        Snapshot.Match(audit.Select(e => new { e.RoomId, e.EventId, e.QuestionId, e.Action, e.Actor, e.Subject, e.Reason, e.Detail, e.At, e.CorrelationId }));
    }
}
