using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Rooms;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Push;
using Marten;

namespace Backchannel.Specs.Support;

/// <summary>Every document of every view and state snapshot, as stored JSON keyed by type and id: for comparing.</summary>
public static class StoredViews
{
    public static async Task<SortedDictionary<string, string>> CaptureAsync(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        var serializer = store.Options.Serializer();
        var captured = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Add<T>(IEnumerable<T> documents, Func<T, string> id)
        {
            foreach (var document in documents) captured[$"{typeof(T).Name}/{id(document)}"] = serializer.ToJson(document!);
        }

        Add(await session.Query<ConversationView>().ToListAsync(), d => d.Id);
        Add(await session.Query<RequestAuditEntry>().ToListAsync(), d => d.Id.ToString());
        Add(await session.Query<UserProfile>().ToListAsync(), d => d.Id);
        Add(await session.Query<Conversation>().ToListAsync(), d => d.Id);
        Add(await session.Query<MessageState>().ToListAsync(), d => d.Id);
        Add(await session.Query<Backchannel.Domain.Requests.RequestReach>().ToListAsync(), d => d.Id);
        Add(await session.Query<RoomView>().ToListAsync(), d => d.Id);
        Add(await session.Query<QuestionView>().ToListAsync(), d => d.Id);
        Add(await session.Query<EventView>().ToListAsync(), d => d.Id);
        Add(await session.Query<RoomAuditEntry>().ToListAsync(), d => d.Id.ToString());
        Add(await session.Query<Room>().ToListAsync(), d => d.Id);
        Add(await session.Query<Participant>().ToListAsync(), d => d.Id);
        Add(await session.Query<Question>().ToListAsync(), d => d.Id);
        Add(await session.Query<Upvote>().ToListAsync(), d => d.Id);
        Add(await session.Query<PlannedEvent>().ToListAsync(), d => d.Id);
        Add(await session.Query<Backchannel.Domain.Safety.Suspension>().ToListAsync(), d => d.Id);
        Add(await session.Query<Backchannel.Domain.Safety.ReportCase>().ToListAsync(), d => d.Id);
        Add(await session.Query<Backchannel.Domain.Safety.ReportsFiled>().ToListAsync(), d => d.Id);
        Add(await session.Query<Backchannel.Projections.Safety.ModerationAuditEntry>().ToListAsync(), d => d.Id.ToString());
        Add(await session.Query<FeedItem>().ToListAsync(), d => d.Id.ToString());
        Add(await session.Query<ConversationAudience>().ToListAsync(), d => d.Id);
        Add(await session.Query<RoomAudience>().ToListAsync(), d => d.Id);
        Add(await session.Query<Backchannel.Domain.Privacy.Erasure>().ToListAsync(), d => d.Id);
        return captured;
    }

    /// <summary>Asserts two captures hold the same documents, naming those missing, extra, or the first that differs.</summary>
    public static void ShouldMatch(this SortedDictionary<string, string> actual, SortedDictionary<string, string> expected)
    {
        var missing = expected.Keys.Except(actual.Keys).Take(10).Select(k => $"{k} {expected[k]}").ToList();
        var extra = actual.Keys.Except(expected.Keys).Take(10).Select(k => $"{k} {actual[k]}").ToList();
        Shouldly.ShouldBeEnumerableTestExtensions.ShouldBeEmpty(missing, "documents missing");
        Shouldly.ShouldBeEnumerableTestExtensions.ShouldBeEmpty(extra, "documents that should not exist");
        foreach (var (key, json) in expected) Shouldly.ShouldBeStringTestExtensions.ShouldBe(actual[key], json, key);
    }
}
