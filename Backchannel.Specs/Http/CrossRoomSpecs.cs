using Alba;
using Backchannel.Domain.Common;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Http;

/// <summary>
/// Question, room and conversation ids are stream ids, unique across rooms. Every command that names a question checks
/// that it belongs to the room in the route: a question of another room is not found there (404), and nothing of either
/// room changes, not one event anywhere. Ids a client could choose for new streams never reach into an existing one.
/// </summary>
public sealed class CrossRoomSpecs(AppFixture app) : AppSpec(app)
{
    private static string Code(Microsoft.AspNetCore.Mvc.ProblemDetails problem) => problem.Extensions["code"]!.ToString()!;

    /// <summary>
    /// Room one: ayu moderates, budi listens. Room two: eka moderates, fajar asked a question put in the state in
    /// which the command would act on it, and budi (present there too) upvoted it.
    /// </summary>
    private async Task<(string One, string Two, string Question)> TwoRoomsAsync(string state)
    {
        var one = (await As("ayu").StartRoom("One")).RoomId;
        await As("budi").Join(one);
        var two = (await As("eka").StartRoom("Two")).RoomId;
        await As("fajar").Join(two);
        await As("budi").Join(two);
        var question = await As("fajar").Ask(two, "Is this room two?");
        if (state == "upvoted") await As("budi").Post($"/rooms/{two}/questions/{question}/upvote");
        if (state is "approved" or "pinned") await As("eka").Post($"/rooms/{two}/questions/{question}/approve");
        if (state == "pinned") await As("eka").Post($"/rooms/{two}/questions/{question}/pin");
        if (state == "dismissed") await As("eka").Post($"/rooms/{two}/questions/{question}/dismiss");
        return (one, two, question);
    }

    /// <summary>What anyone can see of both rooms, and how many events the store holds.</summary>
    private async Task<string> EverythingAsync(string one, string two)
    {
        await using var session = Store.QuerySession();
        var events = await session.Events.QueryAllRawEvents().CountAsync();
        var views = new[]
        {
            await (await As("ayu").Get($"/rooms/{one}/moderation")).ReadAsTextAsync(),
            await (await As("budi").Get($"/rooms/{one}")).ReadAsTextAsync(),
            await (await As("eka").Get($"/rooms/{two}/moderation")).ReadAsTextAsync(),
            await (await As("fajar").Get($"/rooms/{two}")).ReadAsTextAsync(),
            await (await As("budi").Get($"/rooms/{two}")).ReadAsTextAsync(),
        };
        return $"{events} events\n{string.Join('\n', views)}";
    }

    [Theory]
    [InlineData("upvote", "pending")]
    [InlineData("withdraw-upvote", "upvoted")]
    [InlineData("approve", "pending")]
    [InlineData("dismiss", "pending")]
    [InlineData("reopen", "dismissed")]
    [InlineData("pin", "approved")]
    [InlineData("unpin", "pinned")]
    [InlineData("answer", "pending")]
    [InlineData("answered-live", "pending")]
    [InlineData("promote-a-listener", "pending")]
    [InlineData("promote-its-asker", "pending")]
    [InlineData("promote-someone-on-the-stage", "pending")]
    public async Task a_command_on_a_question_of_another_room_is_not_found_and_changes_nothing_anywhere(string command, string state)
    {
        var (one, two, question) = await TwoRoomsAsync(state);
        var before = await EverythingAsync(one, two);

        var url = $"/rooms/{one}/questions/{question}";
        var refusal = command switch
        {
            "upvote" => await As("budi").Refused(c => c.Post($"{url}/upvote", status: 404)),
            "withdraw-upvote" => await As("budi").Refused(c => c.Delete($"{url}/upvote", 404)),
            "approve" => await As("ayu").Refused(c => c.Post($"{url}/approve", status: 404)),
            "dismiss" => await As("ayu").Refused(c => c.Post($"{url}/dismiss?reason=mine", status: 404)),
            "reopen" => await As("ayu").Refused(c => c.Post($"{url}/reopen", status: 404)),
            "pin" => await As("ayu").Refused(c => c.Post($"{url}/pin", status: 404)),
            "unpin" => await As("ayu").Refused(c => c.Delete($"{url}/pin", 404)),
            "answer" => await As("ayu").Refused(c => c.Post($"{url}/answer", new { text = "From room one.", visibility = "private" }, 404)),
            "answered-live" => await As("ayu").Refused(c => c.Post($"{url}/answered-live", status: 404)),
            "promote-a-listener" => await As("ayu").Refused(c => c.Post($"/rooms/{one}/stage", new { userId = "budi", questionId = question }, 404)),
            "promote-its-asker" => await As("ayu").Refused(c => c.Post($"/rooms/{one}/stage", new { userId = "fajar", questionId = question }, 404)),
            _ => await As("ayu").Refused(c => c.Post($"/rooms/{one}/stage", new { userId = "ayu", questionId = question }, 404)),
        };

        Code(refusal).ShouldBe("question_not_found");
        (await EverythingAsync(one, two)).ShouldBe(before);
    }

    [Fact]
    public async Task asking_with_the_id_of_another_rooms_question_is_refused_and_changes_neither_room()
    {
        var (one, two, question) = await TwoRoomsAsync("pending");
        var before = await EverythingAsync(one, two);
        await using var scope = Host.Services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();

        // Over HTTP the server picks question ids; a client of the bus may pick one.
        var refused = await Should.ThrowAsync<RuleViolation>(() => bus.InvokeAsync<Paced>(new AskQuestion(question, one, "budi", "Mine now?", false)));
        refused.Code.ShouldBe("question_exists");
        (await Should.ThrowAsync<RuleViolation>(() => bus.InvokeAsync<Paced>(new AskQuestion(question, one, "fajar", "Mine now?", false)))).Code
            .ShouldBe("not_in_room");

        (await EverythingAsync(one, two)).ShouldBe(before);
    }

    [Fact]
    public async Task starting_a_room_with_the_id_of_a_room_or_a_conversation_is_refused_and_changes_nothing()
    {
        var (one, two, _) = await TwoRoomsAsync("pending");
        var stageOfTwo = (await As("eka").Room(two)).StageConversationId!;
        var before = await EverythingAsync(one, two);
        await using var scope = Host.Services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();

        (await Should.ThrowAsync<RuleViolation>(() => bus.InvokeAsync<RoomOpened>(new StartRoom(two, "fresh-stage", "budi", "Taken", null)))).Code
            .ShouldBe("room_exists");
        (await Should.ThrowAsync<RuleViolation>(() => bus.InvokeAsync<RoomOpened>(new StartRoom("fresh-room", stageOfTwo, "budi", "Taken", null)))).Code
            .ShouldBe("conversation_exists");

        (await EverythingAsync(one, two)).ShouldBe(before);
    }
}
