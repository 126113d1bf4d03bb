using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
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

    [Fact]
    public void a_request_refused_by_the_rate_limit_records_one_suppression_per_recipient()
    {
        var throttle = new Throttle(RateLimitSettings.RequestsPerHourRule, true, 0, TimeSpan.FromMinutes(5), true);
        RequestQuota.Suppressions("c9", "ayu", ["budi", "cici"], throttle, Now).ShouldBe(
        [
            new RequestSuppressedByRateLimit("c9", "ayu", "budi", RateLimitSettings.RequestsPerHourRule, Now.AddMinutes(5), Now),
            new RequestSuppressedByRateLimit("c9", "ayu", "cici", RateLimitSettings.RequestsPerHourRule, Now.AddMinutes(5), Now),
        ]);
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
