using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Shouldly;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>The sliding window every rate limit uses, and the commands it paces.</summary>
public sealed class RateLimitSpecs
{
    private static readonly RateLimit ThreePerMinute = new("rate_limit_test", 3, TimeSpan.FromMinutes(1));

    [Fact]
    public void the_window_allows_up_to_the_limit_and_warns_on_the_last_fifth()
    {
        RateWindow.Check(ThreePerMinute, [], Now, 0.8).ShouldBe(new Throttle("rate_limit_test", false, 2, TimeSpan.Zero, NearLimit: false));
        RateWindow.Check(ThreePerMinute, [Now.AddSeconds(-10)], Now, 0.8).ShouldBe(new Throttle("rate_limit_test", false, 1, TimeSpan.Zero, NearLimit: false));
        RateWindow.Check(ThreePerMinute, [Now.AddSeconds(-10), Now.AddSeconds(-5)], Now, 0.8)
            .ShouldBe(new Throttle("rate_limit_test", false, 0, TimeSpan.Zero, NearLimit: true));
    }

    [Fact]
    public void over_the_limit_it_refuses_until_the_oldest_counted_command_leaves_the_window()
    {
        var throttle = RateWindow.Check(ThreePerMinute, [Now.AddSeconds(-50), Now.AddSeconds(-20), Now.AddSeconds(-5)], Now, 0.8);
        (throttle.Refused, throttle.RetryAfter).ShouldBe((true, TimeSpan.FromSeconds(10)));
        RateWindow.Check(ThreePerMinute, [Now.AddSeconds(-70), Now.AddSeconds(-20), Now.AddSeconds(-5)], Now, 0.8).Refused
            .ShouldBeFalse("what left the window no longer counts");
    }

    [Fact]
    public void a_requester_writing_too_fast_across_their_pending_requests_is_suppressed_and_told_when_to_retry()
    {
        var pending = Fold<Conversation>([.. PendingRequest(), Message(2, "ayu")])!;
        var send = new SendMessage(Id, "m3", "ayu", "hello?", null);
        DateTimeOffset[] fiveElsewhere = [Now, Now, Now.AddSeconds(10), Now.AddSeconds(20), Now.AddSeconds(25)];
        var throttle = SendMessageHandler.Pace(send, pending, fiveElsewhere, Settings, Now.AddSeconds(30))!;

        throttle.Refused.ShouldBeTrue();
        WhenDeciding(() => SendMessageHandler.Decide(send, pending, throttle, Settings, Now.AddSeconds(30))).Then(
            new PendingMessageSuppressedByRateLimit(Id, "ayu", RateLimitSettings.PendingMessagesPerMinuteRule, Now.AddMinutes(1), Now.AddSeconds(30)));
        SendMessageHandler.Pace(send, pending, fiveElsewhere, Settings, Now.AddMinutes(1).AddSeconds(1))!.Refused.ShouldBeFalse();
    }

    [Fact]
    public void a_requester_refused_by_the_pace_is_recorded_once_until_the_retry_time_it_gave()
    {
        var send = new SendMessage(Id, "m3", "ayu", "hello?", null);
        var refused = new Throttle(RateLimitSettings.PendingMessagesPerMinuteRule, true, 0, TimeSpan.FromSeconds(30), true);
        var recorded = new PendingMessageSuppressedByRateLimit(Id, "ayu", RateLimitSettings.PendingMessagesPerMinuteRule, Now.AddSeconds(30), Now);

        WhenDeciding(() => SendMessageHandler.Decide(send, Fold<Conversation>([.. PendingRequest(), recorded]), refused, Settings, Now.AddSeconds(29)))
            .ThenNothingHappened();
        WhenDeciding(() => SendMessageHandler.Decide(send, Fold<Conversation>([.. PendingRequest(), recorded]), refused, Settings, Now.AddSeconds(30)))
            .Then(new PendingMessageSuppressedByRateLimit(Id, "ayu", RateLimitSettings.PendingMessagesPerMinuteRule, Now.AddMinutes(1), Now.AddSeconds(30)));
    }

    [Fact]
    public void nobody_waits_on_an_answer_once_accepted_and_a_pending_recipients_reply_is_never_paced()
    {
        DateTimeOffset[] many = [.. Enumerable.Repeat(Now, 10)];
        SendMessageHandler.Pace(new SendMessage(Id, "m9", "ayu", "hi", null), Fold<Conversation>(Accepted()), many, Settings, Now).ShouldBeNull();
        SendMessageHandler.Pace(new SendMessage(Id, "m9", "budi", "hi", null), Fold<Conversation>(PendingRequest()), many, Settings, Now).ShouldBeNull();
    }

    [Fact]
    public void a_question_over_the_limit_is_suppressed_but_a_retry_of_one_asked_is_still_a_no_op()
    {
        var ask = new AskQuestion(Rooms.QuestionId, Rooms.RoomId, "cici", "Again?", false);
        var refused = new Throttle(RateLimitSettings.QuestionsPerMinuteRule, true, 0, TimeSpan.FromSeconds(12), true);
        WhenDeciding(() => AskQuestionHandler.Decide(ask, Rooms.Room(), Rooms.Listener("cici"), null, refused, Now)).Then(
            new Backchannel.Domain.Rooms.QuestionSuppressedByRateLimit(Rooms.RoomId, "cici", RateLimitSettings.QuestionsPerMinuteRule, Now.AddSeconds(12), Now));
        WhenDeciding(() => AskQuestionHandler.Decide(ask, Rooms.Room(), Rooms.Listener("cici"), Rooms.Question(), refused, Now)).ThenNothingHappened();
    }

    private static readonly Throttle RefusedForFiveMinutes = new(RateLimitSettings.RequestsPerHourRule, true, 0, TimeSpan.FromMinutes(5), true);

    [Fact]
    public void a_request_refused_by_the_rate_limit_records_one_suppression_per_recipient()
    {
        RequestQuota.Suppressions("c9", UserProfile.Default("ayu"), ["budi", "cici"], RefusedForFiveMinutes, Now).ShouldBe(
        [
            new RequestSuppressedByRateLimit("c9", "ayu", "budi", RateLimitSettings.RequestsPerHourRule, Now.AddMinutes(5), Now),
            new RequestSuppressedByRateLimit("c9", "ayu", "cici", RateLimitSettings.RequestsPerHourRule, Now.AddMinutes(5), Now),
        ]);
    }

    [Fact]
    public void refusals_by_the_rate_limit_are_recorded_once_until_the_retry_time_the_first_one_gave()
    {
        var recorded = Fold<UserProfile>(RequestQuota.Suppressions("c9", UserProfile.Default("ayu"), ["budi"], RefusedForFiveMinutes, Now))!;

        RequestQuota.Suppressions("c10", recorded, ["cici", "dodi"], RefusedForFiveMinutes, Now.AddMinutes(1)).ShouldBeEmpty();
        RequestQuota.Suppressions("c11", recorded, ["cici"], RefusedForFiveMinutes, Now.AddMinutes(4).AddSeconds(59)).ShouldBeEmpty();
        RequestQuota.Suppressions("c12", recorded, ["cici"], RefusedForFiveMinutes, Now.AddMinutes(5)).ShouldBe(
            [new RequestSuppressedByRateLimit("c12", "ayu", "cici", RateLimitSettings.RequestsPerHourRule, Now.AddMinutes(10), Now.AddMinutes(5))],
            "once the retry time passed, the next refusal is a new one");
    }

    [Fact]
    public void a_command_that_counts_several_times_is_refused_whole_unless_all_of_it_fits()
    {
        DateTimeOffset[] two = [Now.AddSeconds(-50), Now.AddSeconds(-20)];
        RateWindow.Check(ThreePerMinute, two, Now, 0.8, cost: 1).ShouldBe(new Throttle("rate_limit_test", false, 0, TimeSpan.Zero, NearLimit: true));
        var refused = RateWindow.Check(ThreePerMinute, two, Now, 0.8, cost: 2);
        (refused.Refused, refused.RetryAfter).ShouldBe((true, TimeSpan.FromSeconds(10)), "the oldest must leave the window first");
        RateWindow.Check(ThreePerMinute, two, Now, 0.8, cost: 3).RetryAfter.ShouldBe(TimeSpan.FromSeconds(40), "both must leave");
        RateWindow.Check(ThreePerMinute, [], Now, 0.8, cost: 4).ShouldSatisfyAllConditions(
            t => t.Refused.ShouldBeTrue(), t => t.RetryAfter.ShouldBe(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void an_invitation_costs_each_stranger_it_reaches_suppressed_or_requested_alike_and_a_start_at_least_one()
    {
        var blocker = Fold<UserProfile>([new UserBlocked("dodi", "ayu", null, Now)])!;
        var follower = Fold<UserProfile>([new UserFollowed("cici", "ayu", Now)])!;
        var toAStrangerAndABlocker = Admission.Invite(Id, UserProfile.Default("ayu"), [UserProfile.Default("budi"), blocker], Now);
        var toAFollower = Admission.Invite(Id, UserProfile.Default("ayu"), [follower], Now);

        (toAStrangerAndABlocker.StrangersReached, RequestQuota.CostOfStarting(toAStrangerAndABlocker)).ShouldBe((2, 2));
        (toAFollower.StrangersReached, RequestQuota.CostOfStarting(toAFollower)).ShouldBe((0, 1));
    }

    [Fact]
    public void clearing_the_requests_inbox_decides_each_pending_request_as_one_by_one_and_skips_the_rest()
    {
        var pending = Fold<Conversation>(PendingRequest());
        var accepted = Fold<Conversation>(Accepted());
        ClearingRequestsHandler.Decide([pending, accepted, null], "budi", block: false, Now).ShouldBe([new RequestDeclined(Id, "ayu", "budi", Now)]);
        ClearingRequestsHandler.Decide([pending], "budi", block: true, Now).ShouldBe([new RequesterBlocked(Id, "ayu", "budi", Now)]);
    }
}
