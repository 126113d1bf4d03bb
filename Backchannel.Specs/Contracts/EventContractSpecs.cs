using System.Reflection;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Snapshooter.Xunit;
using static Backchannel.Specs.Support.History;

namespace Backchannel.Specs.Contracts;

/// <summary>
/// Stored events are a contract with every future version: their names and JSON are pinned here, so a change to
/// either is a visible diff, never an accident.
/// </summary>
public sealed class EventContractSpecs(AppFixture app) : AppSpec(app)
{
    /// <summary>One example of every event, as it is stored.</summary>
    private static readonly object[] Examples =
    [
        new UserFollowed("ayu", "budi", T0),
        new UserUnfollowed("ayu", "budi", T0),
        new MessagePolicySet("ayu", MessagePolicy.Following, T0),
        new UserBlocked("ayu", "budi", ConversationId, T0),
        new UserUnblocked("ayu", "budi", T0),
        new ConversationStarted(ConversationId, ConversationKind.Direct, "ayu", "room-7", null, T0),
        new MessageSent(ConversationId, "m1", 1, "ayu", "hi", null, T0),
        new MessageEdited(ConversationId, "m1", "ayu", "hi!", T0),
        new MessageDeleted(ConversationId, "m1", "ayu", T0),
        new ReactionAdded(ConversationId, "m1", "budi", "🔥", T0),
        new ReactionWithdrawn(ConversationId, "m1", "budi", "🔥", T0),
        new MessagesRead(ConversationId, "budi", "m1", 1, T0),
        new ConversationMuted(ConversationId, "budi", T0),
        new ConversationUnmuted(ConversationId, "budi", T0),
        new MemberLeft(ConversationId, "budi", T0),
        new GroupRenamed(ConversationId, "ayu", "Planning", T0),
        new MemberRemoved(ConversationId, "cici", "ayu", T0),
        new MessageReported(ConversationId, "m1", "budi", "ayu", "spam", T0),
        new RequestSent(ConversationId, "ayu", "budi", T0),
        new RequestAdmittedAutomatically(ConversationId, "ayu", "budi", AdmissionRules.RecipientFollowsSender, T0),
        new RequestSuppressed(ConversationId, "ayu", "budi", AdmissionRules.Blocked, T0),
        new RequestSuppressedByPolicy(ConversationId, "ayu", "budi", AdmissionRules.PolicyFollowingOnly, T0),
        new RequestAccepted(ConversationId, "ayu", "budi", true, T0),
        new RequestDeclined(ConversationId, "ayu", "budi", T0),
        new RequesterBlocked(ConversationId, "ayu", "budi", T0),
        new RequestReported(ConversationId, "ayu", "budi", "spam", T0),
    ];

    [Fact]
    public void every_event_the_state_applies_has_a_pinned_name_and_an_example()
    {
        var applied = new[] { typeof(Conversation), typeof(UserProfile) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance))
            .Where(m => m.Name is "Create" or "Apply" && m.GetParameters().Length == 1)
            .Select(m => m.GetParameters()[0].ParameterType)
            .ToHashSet();

        applied.Except(EventNames.All.Keys).ShouldBeEmpty("an event without a pinned name would be stored under its CLR name");
        EventNames.All.Keys.Except(Examples.Select(e => e.GetType())).ShouldBeEmpty("every event needs an example here");
    }

    [Fact]
    public void the_stored_json_of_every_event_is_pinned()
    {
        var serializer = Store.Options.Serializer();
        Snapshot.Match(Examples.ToDictionary(e => EventNames.All[e.GetType()], e => serializer.ToJson(e)));
    }

    [Fact]
    public async Task events_are_stored_under_their_pinned_names()
    {
        await using (var session = Store.LightweightSession())
        {
            session.Events.StartStream<Conversation>(ConversationId, GroupRequest());
            await session.SaveChangesAsync();
        }

        await using var query = Store.QuerySession();
        var stored = await query.Events.FetchStreamAsync(ConversationId);
        stored.Select(e => e.EventTypeName).ShouldBe(["conversation_started", "request_sent", "request_admitted_automatically", "message_sent"]);
    }
}
