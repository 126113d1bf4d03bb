using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Stage;
using static Backchannel.Specs.Deciding.Rooms;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Promotions, moves back to the audience, new moderators, and the stage backchannel that follows them.</summary>
public sealed class StageSpecs
{
    private static PromoteToStage Promote(string user, string? question = null, string by = "ayu") => new(RoomId, by, user, question);

    [Fact]
    public void a_promoted_listener_joins_the_stage_and_its_backchannel_without_a_request() =>
        WhenDeciding(() => StageMovesHandler.Decide(Promote("dodi"), Room(), Moderator(), Listener("dodi"), null, Stage(), Now)).Then(
            new PromotedToStage(RoomId, "dodi", "ayu", null, false, Now),
            new MemberJoinedByRole(StageId, "dodi", MembershipRoles.Stage, Now));

    [Fact]
    public void a_promotion_from_a_question_marks_it_taken_to_the_stage_and_lowers_the_raised_hand() =>
        WhenDeciding(() => StageMovesHandler.Decide(Promote("cici", QuestionId), Room(), Moderator(), Listener("cici", Hand("cici")),
            Question(), Stage(), Now)).Then(
            new PromotedToStage(RoomId, "cici", "ayu", QuestionId, true, Now),
            new QuestionTakenToStage(QuestionId, RoomId, "cici", "ayu", Now),
            new MemberJoinedByRole(StageId, "cici", MembershipRoles.Stage, Now));

    [Fact]
    public void the_question_must_be_the_promoted_persons_own_and_of_this_room()
    {
        WhenDeciding(() => StageMovesHandler.Decide(Promote("dodi", QuestionId), Room(), Moderator(), Listener("dodi"), Question(), Stage(), Now))
            .ThenFails(ViolationKind.Conflict, "question_not_by_user");
        var elsewhere = Fold<Question>([Asked(room: "r2")]);
        WhenDeciding(() => StageMovesHandler.Decide(Promote("cici", QuestionId), Room(), Moderator(), Listener("cici"), elsewhere, Stage(), Now))
            .ThenFails(ViolationKind.NotFound, "question_not_found");
    }

    [Fact]
    public void an_anonymous_question_promotes_nobody_and_the_refusal_is_the_same_whoever_is_named()
    {
        // cici asked it. Whoever the moderator names (the asker, another listener, someone on the stage already, someone
        // gone), the answer is the same refusal, so a promotion never tells who asked.
        var anonymous = Fold<Question>([Asked(anonymous: true)]);
        foreach (var target in new[] { Listener("cici"), Listener("dodi"), Listener("cici", Hand("cici")), Speaker("budi"), Gone("eka") })
            WhenDeciding(() => StageMovesHandler.Decide(Promote(target.UserId, QuestionId), Room(), Moderator(), target, anonymous, Stage("budi"), Now))
                .ThenFails(ViolationKind.Conflict, "question_anonymous");
        WhenDeciding(() => StageMovesHandler.Decide(Promote("cici"), Room(), Moderator(), Listener("cici"), null, Stage(), Now))
            .Then(new PromotedToStage(RoomId, "cici", "ayu", null, false, Now), new MemberJoinedByRole(StageId, "cici", MembershipRoles.Stage, Now));
    }

    [Fact]
    public void a_question_of_another_room_is_not_found_whoever_is_named_even_someone_on_the_stage()
    {
        var elsewhere = Fold<Question>([Asked(by: "budi", room: "r2")]);
        WhenDeciding(() => StageMovesHandler.Decide(Promote("budi", QuestionId), Room(), Moderator(), Speaker("budi"), elsewhere, Stage("budi"), Now))
            .ThenFails(ViolationKind.NotFound, "question_not_found");
        WhenDeciding(() => StageMovesHandler.Decide(Promote("budi", QuestionId), Room(), Moderator(), Speaker("budi"), null, Stage("budi"), Now))
            .ThenFails(ViolationKind.NotFound, "question_not_found");
    }

    [Fact]
    public void only_moderators_promote_only_people_present_in_a_live_room()
    {
        WhenDeciding(() => StageMovesHandler.Decide(Promote("dodi", by: "cici"), Room(), Speaker("cici"), Listener("dodi"), null, Stage(), Now))
            .ThenFails(ViolationKind.Forbidden, "moderators_only");
        WhenDeciding(() => StageMovesHandler.Decide(Promote("dodi"), Room(), Moderator(), Gone("dodi"), null, Stage(), Now))
            .ThenFails(ViolationKind.Conflict, "user_not_in_room");
        WhenDeciding(() => StageMovesHandler.Decide(Promote("dodi"), Ended(), Moderator(), Listener("dodi"), null, Stage(), Now))
            .ThenFails(ViolationKind.Conflict, "room_ended");
        WhenDeciding(() => StageMovesHandler.Decide(Promote("cici"), Room(), Moderator(), Speaker("cici"), null, Stage("cici"), Now))
            .ThenNothingHappened();
    }

    [Fact]
    public void a_speaker_moved_to_the_audience_leaves_the_stage_backchannel_and_may_step_down_alone()
    {
        var moved = new MovedToAudience(RoomId, "cici", "ayu", "time is up", Now);
        WhenDeciding(() => StageMovesHandler.Decide(new MoveToAudience(RoomId, "ayu", "cici", "time is up"), Room(), Moderator(), Speaker("cici"), Stage("cici"), Now))
            .Then(moved, new MemberLeftByRole(StageId, "cici", MembershipRoles.Stage, Now));
        WhenDeciding(() => StageMovesHandler.Decide(new MoveToAudience(RoomId, "cici", "cici", null), Room(), Speaker("cici"), Speaker("cici"), Stage("cici"), Now))
            .Then(moved with { MovedBy = "cici", Reason = null }, new MemberLeftByRole(StageId, "cici", MembershipRoles.Stage, Now));
    }

    [Fact]
    public void nobody_but_a_moderator_moves_someone_else_and_moderators_are_not_moved()
    {
        WhenDeciding(() => StageMovesHandler.Decide(new MoveToAudience(RoomId, "dodi", "cici", null), Room(), Listener("dodi"), Speaker("cici"), Stage("cici"), Now))
            .ThenFails(ViolationKind.Forbidden, "moderators_only");
        WhenDeciding(() => StageMovesHandler.Decide(new MoveToAudience(RoomId, "ayu", "budi", null), Room(), Moderator(), Moderator("budi"), Stage("budi"), Now))
            .ThenFails(ViolationKind.Conflict, "cannot_move_a_moderator");
        WhenDeciding(() => StageMovesHandler.Decide(new MoveToAudience(RoomId, "ayu", "dodi", null), Room(), Moderator(), Listener("dodi"), Stage(), Now))
            .ThenNothingHappened();
    }

    [Fact]
    public void a_moderator_makes_a_speaker_a_moderator_but_not_a_listener()
    {
        WhenDeciding(() => StageMovesHandler.Decide(new MakeModerator(RoomId, "ayu", "cici"), Room(), Moderator(), Speaker("cici"), Now))
            .Then(new MadeModerator(RoomId, "cici", "ayu", Now));
        WhenDeciding(() => StageMovesHandler.Decide(new MakeModerator(RoomId, "ayu", "dodi"), Room(), Moderator(), Listener("dodi"), Now))
            .ThenFails(ViolationKind.Conflict, "not_on_stage");
        WhenDeciding(() => StageMovesHandler.Decide(new MakeModerator(RoomId, "cici", "dodi"), Room(), Speaker("cici"), Speaker("dodi"), Now))
            .ThenFails(ViolationKind.Forbidden, "moderators_only");
        WhenDeciding(() => StageMovesHandler.Decide(new MakeModerator(RoomId, "ayu", "budi"), Room(), Moderator(), Moderator("budi"), Now))
            .ThenNothingHappened();
    }

    [Fact]
    public void nobody_leaves_the_stage_backchannel_except_by_leaving_the_stage() =>
        Conversations.Given([new ConversationStarted(StageId, ConversationKind.Stage, "ayu", RoomId, null, Now),
                new MemberJoinedByRole(StageId, "cici", MembershipRoles.Stage, Now)])
            .When(c => MembershipHandler.Decide(new LeaveConversation(StageId, "cici"), c, Now))
            .ThenFails(ViolationKind.Conflict, "membership_follows_role");
}
