using Backchannel.Domain.Conversations;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>Changes to a room's moderation view reach the people on its stage, and only them.</summary>
public sealed class RoomPushSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task the_stage_sees_questions_votes_and_hands_arrive_and_a_listener_does_not()
    {
        var room = await As("ayu").StartRoom();
        foreach (var person in new[] { "budi", "cici", "dodi" }) await As(person).Join(room.RoomId);
        await As("ayu").Post($"/rooms/{room.RoomId}/stage", new { userId = "budi" });
        await using var moderator = await ListenFromNow("ayu");
        await using var speaker = await ListenFromNow("budi");
        await using var listener = await ListenFromNow("dodi");

        var question = await As("cici").Ask(room.RoomId, "Secret?", anonymous: true);
        await As("dodi").Post($"/rooms/{room.RoomId}/questions/{question}/upvote");
        await As("dodi").Post($"/rooms/{room.RoomId}/hand");

        foreach (var stage in new[] { moderator, speaker })
        {
            var changes = await stage.UntilAsync(e => e.Kind == RoomFeedSource.ModerationKind && e.Text("change") == "hand_raised");
            changes.Select(c => c.Text("change")).ShouldBe(["question_asked", "question_upvoted", "hand_raised"]);
            changes[0].Data.GetProperty("userId").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, "an anonymous asker stays hidden");
            changes[1].Data.GetProperty("userId").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, "the view shows counts, not voters");
            changes[2].Text("userId").ShouldBe("dodi");
        }

        await As("ayu").Post($"/rooms/{room.RoomId}/stage", new { userId = "dodi" });
        (await listener.NextAsync(RoomFeedSource.ModerationKind)).Text("change").ShouldBe("promoted_to_stage",
            "nothing of the moderation view reached dodi before the promotion, and the promotion itself does");
    }

    [Fact]
    public async Task a_promotion_from_an_anonymous_question_stored_before_they_were_refused_names_no_question()
    {
        var room = await As("ayu").StartRoom();
        foreach (var person in new[] { "budi", "cici" }) await As(person).Join(room.RoomId);
        var question = await As("cici").Ask(room.RoomId, "Secret?", anonymous: true);
        await using var moderator = await ListenFromNow("ayu");

        // What the old rule let a moderator store: the asker promoted from their anonymous question.
        var now = DateTimeOffset.UtcNow;
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(RoomStreams.ParticipantId(room.RoomId, "cici"), new PromotedToStage(room.RoomId, "cici", "ayu", question, false, now));
            session.Events.Append(question, new QuestionTakenToStage(question, room.RoomId, "cici", "ayu", now));
            session.Events.Append(room.StageConversationId, new MemberJoinedByRole(room.StageConversationId, "cici", MembershipRoles.Stage, now));
            await session.SaveChangesAsync();
        }
        await As("budi").Post($"/rooms/{room.RoomId}/hand");

        var changes = (await moderator.UntilAsync(e => e.Kind == RoomFeedSource.ModerationKind && e.Text("change") == "hand_raised"))
            .Where(e => e.Kind == RoomFeedSource.ModerationKind).ToList();
        changes.Select(c => c.Text("change")).ShouldBe(["promoted_to_stage", "hand_raised"], "the question's taking to the stage is not told");
        changes[0].Data.GetProperty("questionId").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null, "the promotion does not say from which question");
        (await As("ayu").Moderation(room.RoomId)).Pending.Single(q => q.QuestionId == question).TakenToStage.ShouldBeFalse();
    }
}
