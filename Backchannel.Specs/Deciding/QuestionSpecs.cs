using Backchannel.Domain.Common;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Shouldly;
using static Backchannel.Specs.Deciding.Rooms;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Asking, upvoting, and the stage's screening of the audience's questions.</summary>
public sealed class QuestionSpecs
{
    private static readonly Throttle Allowed = new(RateLimitSettings.QuestionsPerMinuteRule, false, 2, TimeSpan.Zero, false);
    private static readonly AskQuestion Ask = new(QuestionId, RoomId, "cici", "How do you start?", Anonymous: false);
    private static UpvoteQuestion Upvote(string by = "dodi") => new(QuestionId, RoomId, by);
    private static QuestionUpvoted Upvoted(string by = "dodi") => new(QuestionId, RoomId, by, Now);
    private static Upvote Vote(params object[] history) => Fold<Upvote>(history)!;

    [Fact]
    public void a_present_listener_asks_and_a_retry_asks_nothing_twice()
    {
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, Room(), Listener("cici"), null, Allowed, Now)).Then(Asked());
        WhenDeciding(() => AskQuestionHandler.Decide(Ask with { Anonymous = true }, Room(), Listener("cici"), null, Allowed, Now)).Then(Asked(anonymous: true));
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, Room(), Listener("cici"), Question(), Allowed, Now)).ThenNothingHappened();
        WhenDeciding(() => AskQuestionHandler.Decide(Ask with { UserId = "dodi" }, Room(), Listener("dodi"), Question(), Allowed, Now))
            .ThenFails(ViolationKind.Conflict, "question_exists");
    }

    [Fact]
    public void only_listeners_present_in_a_live_room_ask()
    {
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, Room(), Speaker("cici"), null, Allowed, Now)).ThenFails(ViolationKind.Forbidden, "listeners_only");
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, Room(), Gone("cici"), null, Allowed, Now)).ThenFails(ViolationKind.Forbidden, "not_in_room");
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, Room(), null, null, Allowed, Now)).ThenFails(ViolationKind.Forbidden, "not_in_room");
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, Ended(), Listener("cici"), null, Allowed, Now)).ThenFails(ViolationKind.Conflict, "room_ended");
        WhenDeciding(() => AskQuestionHandler.Decide(Ask, null, Listener("cici"), null, Allowed, Now)).ThenFails(ViolationKind.NotFound, "room_not_found");
    }

    [Fact]
    public void a_listener_upvotes_once_and_may_take_it_back_and_give_it_again()
    {
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Listener("dodi"), Question(), null, Now)).Then(Upvoted());
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Listener("dodi"), Question(), Vote(Upvoted()), Now)).ThenNothingHappened();
        WhenDeciding(() => UpvotingHandler.Decide(new WithdrawUpvote(QuestionId, RoomId, "dodi"), Room(), Listener("dodi"), Question(), Vote(Upvoted()), Now))
            .Then(new UpvoteWithdrawn(QuestionId, RoomId, "dodi", Now));
        var withdrawn = Vote(Upvoted(), new UpvoteWithdrawn(QuestionId, RoomId, "dodi", Now));
        WhenDeciding(() => UpvotingHandler.Decide(new WithdrawUpvote(QuestionId, RoomId, "dodi"), Room(), Listener("dodi"), Question(), withdrawn, Now))
            .ThenNothingHappened();
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Listener("dodi"), Question(), withdrawn, Now)).Then(Upvoted());
    }

    [Fact]
    public void only_present_listeners_upvote_open_questions_of_this_room()
    {
        WhenDeciding(() => UpvotingHandler.Decide(Upvote("ayu"), Room(), Moderator(), Question(), null, Now)).ThenFails(ViolationKind.Forbidden, "listeners_only");
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Gone("dodi"), Question(), null, Now)).ThenFails(ViolationKind.Forbidden, "not_in_room");
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Listener("dodi"), Dismissed(), null, Now)).ThenFails(ViolationKind.Conflict, "question_closed");
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Listener("dodi"), Answered(), null, Now)).ThenFails(ViolationKind.Conflict, "question_closed");
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Room(), Listener("dodi"), Fold<Question>([Asked(room: "r2")]), null, Now))
            .ThenFails(ViolationKind.NotFound, "question_not_found");
        WhenDeciding(() => UpvotingHandler.Decide(Upvote(), Ended(), Listener("dodi"), Question(), null, Now)).ThenFails(ViolationKind.Conflict, "room_ended");
    }

    [Fact]
    public void only_the_stage_screens()
    {
        WhenDeciding(() => ScreeningHandler.Decide(new ApproveQuestion(QuestionId, RoomId, "dodi"), Room(), Listener("dodi"), Question(), Now))
            .ThenFails(ViolationKind.Forbidden, "stage_only");
        WhenDeciding(() => ScreeningHandler.Decide(new ApproveQuestion(QuestionId, RoomId, "cici"), Room(), Speaker("cici"), Question(), Now))
            .Then(new QuestionApproved(QuestionId, RoomId, "cici", Now));
        WhenDeciding(() => ScreeningHandler.Decide(new ApproveQuestion(QuestionId, RoomId, "ayu"), Ended(), Moderator(), Question(), Now))
            .ThenFails(ViolationKind.Conflict, "room_ended");
        WhenDeciding(() => ScreeningHandler.Decide(new ApproveQuestion("q9", RoomId, "ayu"), Room(), Moderator(), null, Now))
            .ThenFails(ViolationKind.NotFound, "question_not_found");
    }

    [Fact]
    public void approving_twice_changes_nothing_and_a_dismissed_question_is_reopened_before_it_is_approved()
    {
        WhenDeciding(() => ScreeningHandler.Decide(new ApproveQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Approved(), Now)).ThenNothingHappened();
        WhenDeciding(() => ScreeningHandler.Decide(new ApproveQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Dismissed(), Now))
            .ThenFails(ViolationKind.Conflict, "question_dismissed");
        WhenDeciding(() => ScreeningHandler.Decide(new ReopenQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Dismissed(), Now))
            .Then(new QuestionReopened(QuestionId, RoomId, "ayu", Now));
        WhenDeciding(() => ScreeningHandler.Decide(new ReopenQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Question(), Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_dismissal_says_why_and_an_answered_question_is_not_dismissed()
    {
        WhenDeciding(() => ScreeningHandler.Decide(new DismissQuestion(QuestionId, RoomId, "ayu", "asked already"), Room(), Moderator(), Approved(), Now))
            .Then(new QuestionDismissed(QuestionId, RoomId, "ayu", "asked already", Now));
        WhenDeciding(() => ScreeningHandler.Decide(new DismissQuestion(QuestionId, RoomId, "ayu", null), Room(), Moderator(), Answered(), Now))
            .ThenFails(ViolationKind.Conflict, "question_answered");
        WhenDeciding(() => ScreeningHandler.Decide(new DismissQuestion(QuestionId, RoomId, "ayu", null), Room(), Moderator(), Dismissed(), Now)).ThenNothingHappened();
    }

    [Fact]
    public void only_an_approved_question_is_pinned_and_a_dismissal_unpins_it()
    {
        WhenDeciding(() => ScreeningHandler.Decide(new PinQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Question(), Now))
            .ThenFails(ViolationKind.Conflict, "question_not_approved");
        WhenDeciding(() => ScreeningHandler.Decide(new PinQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Approved(), Now))
            .Then(new QuestionPinned(QuestionId, RoomId, "ayu", Now));
        var pinned = Question(new QuestionApproved(QuestionId, RoomId, "ayu", Now), new QuestionPinned(QuestionId, RoomId, "ayu", Now));
        WhenDeciding(() => ScreeningHandler.Decide(new PinQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), pinned, Now)).ThenNothingHappened();
        WhenDeciding(() => ScreeningHandler.Decide(new UnpinQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), pinned, Now))
            .Then(new QuestionUnpinned(QuestionId, RoomId, "ayu", Now));
        pinned.Apply(new QuestionDismissed(QuestionId, RoomId, "ayu", null, Now)).Pinned.ShouldBeFalse();
        WhenDeciding(() => ScreeningHandler.Decide(new UnpinQuestion(QuestionId, RoomId, "ayu"), Room(), Moderator(), Approved(), Now)).ThenNothingHappened();
    }

    [Fact]
    public void an_answer_is_public_or_private_and_a_dismissed_question_gets_none()
    {
        WhenDeciding(() => ScreeningHandler.Decide(new AnswerQuestion(QuestionId, RoomId, "ayu", "With coffee.", AnswerVisibility.Private), Room(), Moderator(), Question(), Now))
            .Then(new QuestionAnswered(QuestionId, RoomId, "ayu", "With coffee.", AnswerVisibility.Private, Now));
        WhenDeciding(() => ScreeningHandler.Decide(new AnswerQuestion(QuestionId, RoomId, "ayu", "No.", AnswerVisibility.Public), Room(), Moderator(), Dismissed(), Now))
            .ThenFails(ViolationKind.Conflict, "question_dismissed");
    }

    [Fact]
    public void a_question_is_marked_answered_live_once()
    {
        WhenDeciding(() => ScreeningHandler.Decide(new MarkAnsweredLive(QuestionId, RoomId, "ayu"), Room(), Moderator(), Approved(), Now))
            .Then(new QuestionAnsweredLive(QuestionId, RoomId, "ayu", Now));
        WhenDeciding(() => ScreeningHandler.Decide(new MarkAnsweredLive(QuestionId, RoomId, "ayu"), Room(), Moderator(), Answered(), Now)).ThenNothingHappened();
        WhenDeciding(() => ScreeningHandler.Decide(new MarkAnsweredLive(QuestionId, RoomId, "ayu"), Room(), Moderator(), Dismissed(), Now))
            .ThenFails(ViolationKind.Conflict, "question_dismissed");
    }
}
