using Backchannel.Domain.Questions;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Rooms;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using static Backchannel.Specs.Support.History;

namespace Backchannel.Specs.Projections;

/// <summary>The room, question and event views, built by Marten on PostgreSQL from fixed events.</summary>
public sealed class RoomProjectionSpecs(AppFixture app) : AppSpec(app)
{
    private async Task Append(params (string Stream, object[] Events)[] streams)
    {
        await using var session = Store.LightweightSession();
        foreach (var (stream, events) in streams) session.Events.Append(stream, events);
        await session.SaveChangesAsync();
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var session = Store.LightweightSession();
        foreach (var (stream, events) in LiveRoom()) session.Events.StartStream(stream, events);
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task a_reopened_question_forgets_why_it_was_dismissed_and_answers_accumulate()
    {
        await Append(("q-3", [
            new QuestionReopened("q-3", RoomId, "budi", At(1)),
            new QuestionAnswered("q-3", RoomId, "budi", "At the corner shop.", AnswerVisibility.Public, At(2)),
            new QuestionAnswered("q-3", RoomId, "ayu", "Or online.", AnswerVisibility.Public, At(3)),
        ]));

        await using var session = Store.QuerySession();
        var question = (await session.LoadAsync<QuestionView>("q-3"))!;
        (question.Status, question.DismissedReason).ShouldBe((QuestionStatus.Answered, null));
        question.Answers.Select(a => a.Text).ShouldBe(["At the corner shop.", "Or online."]);
    }

    [Fact]
    public async Task leaving_the_room_takes_a_listener_off_the_roster_and_the_raised_hands()
    {
        await Append(($"{RoomId}/dodi", [new Backchannel.Domain.Rooms.ParticipantLeft(RoomId, "dodi", Backchannel.Domain.Rooms.RoomRole.Listener, At(1))]));

        await using var session = Store.QuerySession();
        var moderation = (await session.ModerationAsync("ayu", RoomId)).View!;
        moderation.RaisedHands.Select(h => h.UserId).ShouldBe(["cici"]);
        (await session.RoomAsync("cici", RoomId)).View!.Listeners.ShouldBe(["cici", "eka"]);
    }

    [Fact]
    public async Task a_room_that_does_not_exist_is_answered_as_not_found_not_thrown()
    {
        await using var session = Store.QuerySession();
        (await session.RoomAsync("cici", "no-such-room")).ShouldBe(RoomAnswer<RoomScreen>.NotShown(RoomUnseen.NoSuchRoom));
    }

    [Fact]
    public async Task someone_not_in_the_room_is_shown_no_room_and_told_why()
    {
        await using var session = Store.QuerySession();
        (await session.RoomAsync("zed_never_came", RoomId)).ShouldBe(RoomAnswer<RoomScreen>.NotShown(RoomUnseen.NotInRoom));
    }

    [Fact]
    public async Task a_listener_is_shown_no_moderation_view_and_told_why()
    {
        await using var session = Store.QuerySession();
        (await session.ModerationAsync("cici", RoomId)).ShouldBe(RoomAnswer<ModerationView>.NotShown(RoomUnseen.NotOnStage));
    }

    [Fact]
    public async Task an_event_that_does_not_exist_is_answered_as_null()
    {
        await using var session = Store.QuerySession();
        (await session.EventAsync("cici", "no-such-event")).ShouldBeNull();
    }

    [Fact]
    public async Task an_events_hosts_follow_its_co_hosts_and_a_cancelled_event_is_no_longer_upcoming()
    {
        await Append(("event-1", [
            new Backchannel.Domain.Planning.CoHostAdded("event-1", "cici", "ayu", At(1)),
            new Backchannel.Domain.Planning.CoHostRemoved("event-1", "budi", "ayu", At(2)),
        ]));
        await using (var session = Store.QuerySession())
            (await session.LoadAsync<EventView>("event-1"))!.Hosts.ShouldBe(["ayu", "cici"]);

        await Append(("event-1", [new Backchannel.Domain.Planning.EventCancelled("event-1", "ayu", "rain", At(3))]));
        await using (var session = Store.QuerySession())
            (await session.UpcomingEventsAsync("eka", T0)).ShouldBeEmpty();
    }

    [Fact]
    public async Task the_room_audit_is_exported_as_json_lines()
    {
        await AsyncViewsCaughtUp();
        await using var session = Store.QuerySession();
        using var output = new MemoryStream();

        var written = await session.WriteJsonLinesAsync(output, AuditLog.Rooms);

        written.ShouldBe(await session.Query<RoomAuditEntry>().CountAsync());
        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(written);
        lines.ShouldContain(l => l.Contains("\"action\":\"question_asked\"") && l.Contains("\"actor\":\"dodi\"") && l.Contains("\"detail\":\"anonymous\""));
    }
}
