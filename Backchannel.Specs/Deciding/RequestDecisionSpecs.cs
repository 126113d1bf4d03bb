using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>What a recipient decides about a request, and what membership allows afterwards.</summary>
public sealed class RequestDecisionSpecs
{
    [Fact]
    public void accepting_a_pending_request_records_it_and_accepting_again_changes_nothing()
    {
        Given(PendingRequest()).When(c => DecidingRequestsHandler.Decide(new AcceptRequest(Id, "budi"), c, Now))
            .Then(new RequestAccepted(Id, "ayu", "budi", ByReplying: false, Now));
        Given(Accepted()).When(c => DecidingRequestsHandler.Decide(new AcceptRequest(Id, "budi"), c, Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_pending_request_can_be_declined_blocked_or_reported()
    {
        Given(PendingRequest()).When(c => DecidingRequestsHandler.Decide(new DeclineRequest(Id, "budi"), c, Now))
            .Then(new RequestDeclined(Id, "ayu", "budi", Now));
        Given(PendingRequest()).When(c => DecidingRequestsHandler.Decide(new BlockRequester(Id, "budi"), c, Now))
            .Then(new RequesterBlocked(Id, "ayu", "budi", Now));
        Given(PendingRequest()).When(c => DecidingRequestsHandler.Decide(new ReportRequest(Id, "budi", "spam"), c, Now))
            .Then(new RequestReported(Id, "ayu", "budi", "spam", Now));
    }

    [Fact]
    public void once_in_a_conversation_you_leave_it_rather_than_decline_it() =>
        Given(Accepted()).When(c => DecidingRequestsHandler.Decide(new DeclineRequest(Id, "budi"), c, Now))
            .ThenFails(ViolationKind.Conflict, "request_not_pending");

    [Fact]
    public void a_declined_request_is_gone_for_the_recipient_who_cannot_accept_it_later() =>
        Given([.. PendingRequest(), new RequestDeclined(Id, "ayu", "budi", Now)])
            .When(c => DecidingRequestsHandler.Decide(new AcceptRequest(Id, "budi"), c, Now))
            .ThenFails(ViolationKind.NotFound, "conversation_not_found");

    [Fact]
    public void only_the_recipient_decides_about_their_request() =>
        Given(PendingRequest()).When(c => DecidingRequestsHandler.Decide(new DeclineRequest(Id, "cici"), c, Now))
            .ThenFails(ViolationKind.NotFound, "conversation_not_found");

    [Fact]
    public void muting_and_unmuting_change_only_what_differs()
    {
        Given(Accepted()).When(c => MembershipHandler.Decide(new MuteConversation(Id, "budi", true), c, Now)).Then(new ConversationMuted(Id, "budi", Now));
        Given([.. Accepted(), new ConversationMuted(Id, "budi", Now)])
            .When(c => MembershipHandler.Decide(new MuteConversation(Id, "budi", true), c, Now)).ThenNothingHappened();
        Given([.. Accepted(), new ConversationMuted(Id, "budi", Now)])
            .When(c => MembershipHandler.Decide(new MuteConversation(Id, "budi", false), c, Now)).Then(new ConversationUnmuted(Id, "budi", Now));
    }

    [Fact]
    public void a_member_leaves_but_a_pending_recipient_declines_instead()
    {
        Given(Accepted()).When(c => MembershipHandler.Decide(new LeaveConversation(Id, "budi"), c, Now)).Then(new MemberLeft(Id, "budi", Now));
        Given(PendingRequest()).When(c => MembershipHandler.Decide(new LeaveConversation(Id, "budi"), c, Now))
            .ThenFails(ViolationKind.Forbidden, "request_not_accepted");
    }
}
