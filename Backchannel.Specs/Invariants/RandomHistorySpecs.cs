using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Invariants;

/// <summary>
/// Random histories of well-formed commands (Bogus), then the invariants every history must keep. Each seed is a
/// different history; a failure names its seed, so it can be replayed exactly.
/// </summary>
public sealed class RandomHistorySpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task in_a_random_history_every_event_is_stored_in_the_stream_it_declares()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var history = new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed: 4);
        await history.RunAsync(300);
        history.Accepted.ShouldBeGreaterThan(50, "a history that refuses everything proves nothing");

        await using var session = Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().ToListAsync();
        events.Select(e => e.EventTypeName).Distinct().Count().ShouldBeGreaterThanOrEqualTo(25, "many kinds of event occur");
        events.Where(e => IStreamEvent.StreamOf(e.Data) != e.StreamKey)
            .Select(e => $"{e.EventTypeName} in {e.StreamKey} declares {IStreamEvent.StreamOf(e.Data)}").ShouldBeEmpty();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task every_random_history_keeps_the_invariants_of_the_views(int seed)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var history = new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed);
        await history.RunAsync(400);
        history.Accepted.ShouldBeGreaterThan(50, "a history that refuses everything proves nothing");

        await using var session = Store.QuerySession();
        var conversations = await session.Query<ConversationView>().ToListAsync();
        foreach (var person in RandomHistory.People)
        {
            var inbox = (await session.InboxAsync(person)).Select(i => i.ConversationId).ToHashSet();
            var requests = (await session.RequestsAsync(person)).Select(r => r.ConversationId).ToHashSet();

            inbox.Intersect(requests).ShouldBeEmpty($"{person}: no conversation is in both inboxes");
            inbox.ShouldBe(conversations.Where(c => c.MemberOf(person)?.Status == MemberStatus.Active).Select(c => c.Id).ToHashSet(),
                ignoreOrder: true, $"{person}: the inbox holds exactly the conversations they are in");
            requests.ShouldBe(conversations.Where(c => c.MemberOf(person)?.Status == MemberStatus.Pending).Select(c => c.Id).ToHashSet(),
                ignoreOrder: true, $"{person}: the requests inbox holds exactly their pending requests");

            foreach (var conversation in conversations)
            {
                var thread = await session.ThreadAsync(person, conversation.Id, limit: ThreadQueries.MaxPageSize);
                var member = conversation.MemberOf(person);
                if (member?.Status is not (MemberStatus.Active or MemberStatus.Pending))
                {
                    thread.ShouldBeNull($"{person} may not see {conversation.Id} ({member?.Status.ToString() ?? "never a member"})");
                    continue;
                }

                thread.ShouldNotBeNull();
                var expectedUnread = thread.Messages.Count(m => m.Sequence > member.ReadUpToSequence && m.Author != person && !m.Deleted);
                thread.UnreadCount.ShouldBe(expectedUnread, $"{person} in {conversation.Id}");
                thread.UnreadCount.ShouldBeGreaterThanOrEqualTo(0);
                var sequences = Enumerable.Range(1, (int)conversation.LastSequence).Select(i => (long)i).ToList();
                (await session.Query<MessageState>().Where(m => m.ConversationId == conversation.Id).Select(m => m.Sequence).ToListAsync())
                    .Order().ToList().ShouldBe(sequences, $"{conversation.Id}: message sequences are gapless");
                thread.Messages.Select(m => m.Sequence).ShouldBe(sequences.Where(member.MayRead),
                    $"{person} in {conversation.Id} reads exactly the messages sent while they were in it or invited");
                thread.Members.Where(m => m.UserId != person && m.Status != "active").ShouldAllBe(m => m.ReadUpToMessageId == null,
                    "no read receipt of someone who has not accepted reaches anyone");
            }
        }

        await AsyncViewsCaughtUp();
        var decisions = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypeName.StartsWith("request_") || e.EventTypeName == "requester_blocked"
                || e.EventTypeName == "pending_message_suppressed_by_rate_limit").CountAsync();
        (await session.Query<RequestAuditEntry>().CountAsync()).ShouldBe(decisions, "every request decision is in the audit, once");

        var roomDecisions = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypeName.IsOneOf(RoomAuditedEventNames)).CountAsync();
        (await session.Query<RoomAuditEntry>().CountAsync()).ShouldBe(roomDecisions, "every room, question and event decision is in the audit, once");

        (await session.Query<Question>().CountAsync()).ShouldBeGreaterThan(0, "a history without questions proves nothing of rooms");
        (await session.Query<Upvote>().CountAsync()).ShouldBeGreaterThan(0, "a history without upvotes proves nothing of counting");
        await StageMembershipFollowsRoles(session);
        await UpvoteCountsMatchTheVotesCast(session);

        var live = await StoredViews.CaptureAsync(Store);
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
    }

    private static readonly string[] RoomAuditedEventNames = EventNames.All
        .Where(e => e.Key.Namespace is "Backchannel.Domain.Rooms" or "Backchannel.Domain.Questions" or "Backchannel.Domain.Planning")
        .Select(e => e.Value).ToArray();

    private static async Task StageMembershipFollowsRoles(IQuerySession session)
    {
        foreach (var room in await session.Query<Room>().ToListAsync())
        {
            var onStage = await session.Query<Participant>().Where(p => p.RoomId == room.Id).ToListAsync();
            var stage = (await session.LoadAsync<Conversation>(room.StageConversationId))!;
            stage.Members.Values.Where(m => m.Status == MemberStatus.Active).Select(m => m.UserId)
                .ShouldBe(onStage.Where(p => p.OnStage).Select(p => p.UserId), ignoreOrder: true,
                    $"room {room.Id}: the stage backchannel holds exactly the people on the stage");
        }
    }

    private static async Task UpvoteCountsMatchTheVotesCast(IQuerySession session)
    {
        var votes = await session.Events.QueryAllRawEvents()
            .Where(e => e.EventTypeName == "question_upvoted" || e.EventTypeName == "upvote_withdrawn")
            .OrderBy(e => e.Sequence).ToListAsync();
        var expected = votes.GroupBy(e => e.StreamKey).Where(g => g.Last().Data is QuestionUpvoted)
            .Select(g => ((QuestionUpvoted)g.Last().Data).QuestionId).CountBy(q => q).ToDictionary();
        var counted = (await session.Query<Upvote>().Where(u => u.Active).ToListAsync()).CountBy(u => u.QuestionId).ToDictionary();
        counted.ShouldBe(expected, "each listener's vote counts once, and a withdrawn vote not at all");
    }
}
