using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// Many listeners asking and upvoting at the same moment: no vote is lost, none counts twice, nobody is refused
/// for a conflict (each vote is its own stream; see docs/architecture.md).
/// </summary>
public sealed class HotRoomSpecs(AppFixture app) : AppSpec(app)
{
    private const int Listeners = 60;

    [Fact]
    public async Task every_vote_and_question_cast_at_once_is_counted_exactly_once()
    {
        var room = await As("host").StartRoom("Town hall");
        var listeners = Enumerable.Range(1, Listeners).Select(i => $"listener{i}").ToList();
        await Task.WhenAll(listeners.Select(l => As(l).Join(room.RoomId)));
        var hot = await As("listener1").Ask(room.RoomId, "The question everyone wants answered?");

        // Each listener upvotes twice (a double tap), withdraws and upvotes again, and asks a question: all at once.
        await Task.WhenAll(listeners.SelectMany(l => new Func<Task>[]
        {
            async () =>
            {
                await Task.WhenAll(
                    As(l).Post($"/rooms/{room.RoomId}/questions/{hot}/upvote"),
                    As(l).Post($"/rooms/{room.RoomId}/questions/{hot}/upvote"));
                await As(l).Delete($"/rooms/{room.RoomId}/questions/{hot}/upvote");
                await As(l).Post($"/rooms/{room.RoomId}/questions/{hot}/upvote");
            },
            () => As(l).Ask(room.RoomId, $"A question from {l}?"),
        }).Select(run => run()));

        var screening = await As("host").Get<Backchannel.Projections.Rooms.ModerationView>($"/rooms/{room.RoomId}/moderation?limit=200");
        screening.Pending.Count.ShouldBe(Listeners + 1);
        screening.Pending.First().ShouldSatisfyAllConditions(q => q.QuestionId.ShouldBe(hot), q => q.Upvotes.ShouldBe(Listeners));
        screening.Pending.Skip(1).ShouldAllBe(q => q.Upvotes == 0);
        (await As("listener7").Room(room.RoomId)).ListenerCount.ShouldBe(Listeners);
    }
}
