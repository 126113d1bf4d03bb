using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Thanks;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Invariants;

/// <summary>
/// Every stream id shares one space, and an embedding app chooses the ids of the streams its commands start: an id
/// that already names a stream of another kind is refused (409 <c>id_in_use</c>) and nothing is appended to that
/// stream, whichever kind starts and whichever kind holds the id.
/// </summary>
public sealed class StreamKindSpecs(AppFixture app) : AppSpec(app)
{
    private const string ConversationId = "conv-taken";
    private const string RoomId = "room-taken";

    private async Task<IMessageBus> Arranged()
    {
        var scope = Host.Services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync(new FollowUser("budi", "ayu"));
        await bus.InvokeAsync(new RequestConversation(ConversationId, "ayu", ["budi"], "hello", null));
        await bus.InvokeAsync(new StartRoom(RoomId, "stage-of-room-taken", "ayu", "Morning", null));
        await bus.InvokeAsync(new JoinRoom(RoomId, "cici"));
        return bus;
    }

    private async Task<long> VersionOf(string streamId)
    {
        await using var session = Store.QuerySession();
        return (await session.Events.FetchStreamStateAsync(streamId))!.Version;
    }

    public static TheoryData<string> Starts() => ["room", "stage", "question", "request", "thanks", "event", "planning"];

    [Theory]
    [MemberData(nameof(Starts))]
    public async Task a_command_that_starts_a_stream_with_an_id_of_another_kind_is_refused_and_appends_nothing(string start)
    {
        var bus = await Arranged();
        var conversationVersion = await VersionOf(ConversationId);
        var roomVersion = await VersionOf(RoomId);
        object command = start switch
        {
            "room" => new StartRoom(ConversationId, "stage-new-1", "dodi", "Takeover", null),
            "stage" => new StartRoom("room-new-1", RoomId, "dodi", "Takeover", null),
            "question" => new AskQuestion(ConversationId, RoomId, "cici", "Who are you?", false),
            "request" => new RequestConversation(RoomId, "cici", ["eka"], "Hello", null),
            "thanks" => new SendThanks(RoomId, "cici", "ayu", RoomId, null, "Thank you"),
            "event" => new ScheduleEvent(ConversationId, "plan-new-1", "dodi", "Takeover", DateTimeOffset.UtcNow.AddDays(1), []),
            _ => new ScheduleEvent("event-new-1", RoomId, "dodi", "Takeover", DateTimeOffset.UtcNow.AddDays(1), []),
        };

        var refusal = await Should.ThrowAsync<RuleViolation>(() => bus.InvokeAsync(command));

        refusal.Code.ShouldBe("id_in_use");
        (await VersionOf(ConversationId)).ShouldBe(conversationVersion);
        (await VersionOf(RoomId)).ShouldBe(roomVersion);
    }

    [Fact]
    public async Task a_users_own_stream_is_never_written_into_a_stream_of_another_kind_that_holds_their_handle()
    {
        var bus = await Arranged();
        await using (var session = Store.LightweightSession())
        {
            // A store written before new stream ids had to differ from handles may hold a conversation named like a user.
            session.Events.StartStream<Conversation>("dodi", new ConversationStarted("dodi", ConversationKind.Direct, "ayu", null, null, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var refusal = await Should.ThrowAsync<RuleViolation>(() => bus.InvokeAsync(new FollowUser("dodi", "ayu")));

        refusal.Code.ShouldBe("id_in_use");
        (await VersionOf("dodi")).ShouldBe(1);
    }
}
