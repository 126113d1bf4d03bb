using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using JasperFx.Events.Projections;
using Marten;

namespace Backchannel.Domain.Common;

/// <summary>
/// What the Domain's handlers read from the store, declared by the Domain itself: the stored event names, one inline
/// snapshot per stream (a command reads one row instead of replaying its stream), the per-message and per-request
/// decision documents, and the indexes the handlers query by.
/// </summary>
internal static class DecisionStore
{
    /// <summary>Adds the Domain's events, decision state and indexes to <paramref name="opts"/>.</summary>
    public static void Configure(StoreOptions opts)
    {
        foreach (var (type, name) in EventNames.All) opts.Events.MapEventType(type, name);
        // What an erasure masks in the stored events: each capability's rules, declared beside its events.
        Privacy.ProtectedInformation.AddMaskingRules(opts);

        opts.Projections.Snapshot<UserProfile>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Conversation>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Room>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Participant>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Question>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Upvote>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<PlannedEvent>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Privacy.Erasure>(SnapshotLifecycle.Inline);
        opts.Projections.Add<MessageStateProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<RequestReachProjection>(ProjectionLifecycle.Inline);
        Safety.SafetyStore.Configure(opts);

        opts.Schema.For<Conversation>().Duplicate(c => c.CreatedBy);
        opts.Schema.For<Question>().Duplicate(q => q.RoomId);
        opts.Schema.For<Participant>().Duplicate(p => p.RoomId);
        opts.Schema.For<Upvote>().Duplicate(u => u.RoomId);
    }
}
