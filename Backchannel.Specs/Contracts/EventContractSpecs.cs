using System.Reflection;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Privacy;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Safety;
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
        new RequestSuppressedByRateLimit(ConversationId, "ayu", "budi", "rate_limit_requests_per_hour", T0.AddMinutes(20), T0),
        new PendingMessageSuppressedByRateLimit(ConversationId, "ayu", "rate_limit_pending_messages_per_minute", T0.AddSeconds(40), T0),
        new MemberJoinedByRole("stage-1", "budi", MembershipRoles.Stage, T0),
        new MemberLeftByRole("stage-1", "budi", MembershipRoles.Stage, T0),
        new ThanksSent(ConversationId, "c-0001.1", 1, "ayu", "budi", "Thank you for the room!", "room-1", null, T0),
        new PendingMessagesCapped(ConversationId, "budi", 3, T0),

        new RoomStarted("room-1", "Morning pages", "ayu", "event-1", "stage-1", ["ayu", "budi"], T0),
        new RoomEnded("room-1", "ayu", T0),
        new ParticipantJoined("room-1", "cici", RoomRole.Listener, T0),
        new ParticipantLeft("room-1", "cici", RoomRole.Speaker, T0),
        new HandRaised("room-1", "cici", T0),
        new HandLowered("room-1", "cici", T0),
        new PromotedToStage("room-1", "cici", "ayu", "q-1", true, T0),
        new MovedToAudience("room-1", "cici", "ayu", "time is up", T0),
        new MadeModerator("room-1", "cici", "ayu", T0),
        new QuestionSuppressedByRateLimit("room-1", "cici", "rate_limit_questions_per_minute", T0.AddSeconds(30), T0),

        new QuestionAsked("q-1", "room-1", "cici", "How do you start?", true, T0),
        new QuestionApproved("q-1", "room-1", "budi", T0),
        new QuestionDismissed("q-1", "room-1", "budi", "off topic", T0),
        new QuestionReopened("q-1", "room-1", "budi", T0),
        new QuestionPinned("q-1", "room-1", "budi", T0),
        new QuestionUnpinned("q-1", "room-1", "budi", T0),
        new QuestionAnswered("q-1", "room-1", "budi", "With coffee.", AnswerVisibility.Private, T0),
        new QuestionAnsweredLive("q-1", "room-1", "budi", T0),
        new QuestionTakenToStage("q-1", "room-1", "cici", "ayu", T0),
        new QuestionUpvoted("q-1", "room-1", "dodi", T0),
        new UpvoteWithdrawn("q-1", "room-1", "dodi", T0),

        new EventScheduled("event-1", "Morning pages", "ayu", T0.AddDays(7), ["budi"], "plan-1", T0),
        new CoHostAdded("event-1", "cici", "ayu", T0),
        new CoHostRemoved("event-1", "cici", "ayu", T0),
        new EventRescheduled("event-1", T0.AddDays(8), T0.AddDays(7), "budi", T0),
        new EventCancelled("event-1", "ayu", "rain", T0),
        new EventWentLive("event-1", "room-1", "budi", T0),

        new ErasureRequested("ayu", "ops", true, T0),
        new UserErased("ayu", 12, 30, T0),
        new ReportDismissed(ConversationId, "rpt-0123456789abcdef0123456789abcdef", "ayu", "ops", "not against the rules", T0),
        new MessageRemovedByModeration(ConversationId, "m1", "ayu", "rpt-0123456789abcdef0123456789abcdef", "ops", "harassment", T0),
        new UserSuspended("ayu", "ops", T0.AddDays(7), "repeated harassment", T0),
        new SuspensionLifted("ayu", "ops", null, T0),
    ];

    [Fact]
    public void every_event_the_state_applies_has_a_pinned_name_and_an_example()
    {
        var applied = new[] { typeof(Conversation), typeof(UserProfile), typeof(Room), typeof(Participant), typeof(Question),
                typeof(Upvote), typeof(PlannedEvent), typeof(Erasure), typeof(Suspension) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance))
            .Where(m => m.Name is "Create" or "Apply" && m.GetParameters().Length == 1)
            .Select(m => m.GetParameters()[0].ParameterType)
            .ToHashSet();

        applied.Except(EventNames.All.Keys).ShouldBeEmpty("an event without a pinned name would be stored under its CLR name");
        EventNames.All.Keys.Except(Examples.Select(e => e.GetType())).ShouldBeEmpty("every event needs an example here");
    }

    [Fact]
    public void every_event_declares_the_stream_it_belongs_to()
    {
        EventNames.All.Keys.Where(t => !typeof(IStreamEvent).IsAssignableFrom(t)).ShouldBeEmpty("routing and the push read the declaration");
        Examples.ToDictionary(e => EventNames.All[e.GetType()], IStreamEvent.StreamOf).ShouldAllBe(s => !string.IsNullOrEmpty(s.Value));
    }

    [Fact]
    public void the_declared_stream_of_an_event_is_never_stored_in_its_json()
    {
        var serializer = Store.Options.Serializer();
        Examples.Where(e => serializer.ToJson(e).Contains("streamId", StringComparison.OrdinalIgnoreCase))
            .Select(e => e.GetType().Name).ShouldBeEmpty();
    }

    [Fact]
    public void the_stored_json_of_every_event_is_pinned()
    {
        var serializer = Store.Options.Serializer();
        Snapshot.Match(Examples.ToDictionary(e => EventNames.All[e.GetType()], e => serializer.ToJson(e)));
    }

    /// <summary>The names free text goes by in an event: a new one of these needs a masking rule to be erasable.</summary>
    private static readonly string[] TextFields = ["Text", "Title", "Reason", "Description", "Note", "Body", "Comment"];

    [Fact]
    public void every_text_an_event_carries_has_a_masking_rule_that_erases_it_and_names_who_wrote_it()
    {
        var failures = new List<string>();
        foreach (var example in Examples)
        {
            var fields = example.GetType().GetProperties().Where(p => p.PropertyType == typeof(string) && TextFields.Contains(p.Name)).ToList();
            if (fields.Count == 0)
            {
                ProtectedInformation.ByType.ContainsKey(example.GetType()).ShouldBeFalse($"{example.GetType().Name} has no text to mask");
                continue;
            }
            if (!ProtectedInformation.ByType.TryGetValue(example.GetType(), out var rule))
            {
                failures.Add($"{example.GetType().Name} carries {string.Join(", ", fields.Select(f => f.Name))} without a masking rule");
                continue;
            }
            var masked = rule.Mask(example);
            foreach (var field in fields.Where(f => f.GetValue(masked) is not (null or ProtectedText.Erased)))
                failures.Add($"{example.GetType().Name}.{field.Name} survives its masking rule");
            Rules.IsHandle(rule.WrittenBy(example)).ShouldBeTrue($"{example.GetType().Name}'s writer is a handle");
            Store.Options.Serializer().ToJson(rule.Mask(masked)).ShouldBe(Store.Options.Serializer().ToJson(masked), "masking twice changes nothing");
        }
        failures.ShouldBeEmpty();
    }

    [Fact]
    public void a_conversation_started_before_events_could_be_linked_reads_as_linked_to_no_event()
    {
        const string storedBeforeEventId =
            """{"conversationId":"c-0001","kind":"Direct","startedBy":"ayu","roomId":"room-7","at":"2026-11-01T09:00:00+00:00"}""";

        var started = Store.Options.Serializer().FromJson<ConversationStarted>(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(storedBeforeEventId)));

        started.ShouldBe(new ConversationStarted("c-0001", ConversationKind.Direct, "ayu", "room-7", null, T0));
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
