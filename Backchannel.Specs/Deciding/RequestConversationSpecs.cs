using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Shouldly;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

public sealed class RequestConversationSpecs
{
    private static readonly UserProfile Ayu = UserProfile.Default("ayu");

    private static UserProfile Person(string id, params object[] events) => Fold<UserProfile>(events) ?? UserProfile.Default(id);

    private static Invitation Request(UserProfile sender, params UserProfile[] recipients) =>
        RequestConversationHandler.Decide(new RequestConversation(Id, sender.Id, recipients.Select(r => r.Id).ToList(), "hi", null),
            Opening, sender, recipients, Now);

    [Fact]
    public void a_stranger_gets_a_request_and_the_conversation_starts_with_the_opening_message() =>
        Request(Ayu, Person("budi")).ConversationEvents.ShouldBe([
            new ConversationStarted(Id, ConversationKind.Direct, "ayu", null, null, Now),
            new RequestSent(Id, "ayu", "budi", Now),
            new MessageSent(Id, Opening, 1, "ayu", "hi", null, Now),
        ]);

    [Fact]
    public void a_recipient_who_follows_the_sender_is_admitted_automatically_by_that_rule() =>
        Request(Ayu, Person("budi", new UserFollowed("budi", "ayu", Now))).ConversationEvents[1]
            .ShouldBe(new RequestAdmittedAutomatically(Id, "ayu", "budi", AdmissionRules.RecipientFollowsSender, Now));

    [Fact]
    public void a_recipient_who_blocked_the_sender_never_sees_it_but_the_sender_is_not_told()
    {
        var invitation = Request(Ayu, Person("budi", new UserBlocked("budi", "ayu", null, Now)));

        invitation.Refused.ShouldBeFalse();
        invitation.ConversationEvents[1].ShouldBe(new RequestSuppressed(Id, "ayu", "budi", AdmissionRules.Blocked, Now));
    }

    [Fact]
    public void a_sender_cannot_start_a_conversation_with_someone_they_blocked()
    {
        var violation = Should.Throw<RuleViolation>(() => Request(Person("ayu", new UserBlocked("ayu", "budi", null, Now)), Person("budi")));
        violation.Code.ShouldBe("recipient_blocked_by_you");
        violation.Kind.ShouldBe(ViolationKind.Forbidden);
    }

    [Fact]
    public void a_recipient_who_hears_only_from_people_they_follow_refuses_and_only_the_refusal_is_recorded()
    {
        var invitation = Request(Ayu, Person("budi", new MessagePolicySet("budi", MessagePolicy.Following, Now)));

        invitation.RefusedBy.ShouldBe(["budi"]);
        invitation.ConversationEvents.ShouldBeEmpty();
        invitation.Refusals.ShouldBe([new RequestSuppressedByPolicy(Id, "ayu", "budi", AdmissionRules.PolicyFollowingOnly, Now)]);
    }

    [Fact]
    public void the_following_only_policy_admits_people_the_recipient_follows() =>
        Request(Ayu, Person("budi", new MessagePolicySet("budi", MessagePolicy.Following, Now), new UserFollowed("budi", "ayu", Now)))
            .Refused.ShouldBeFalse();

    [Fact]
    public void one_refusal_by_policy_refuses_a_whole_group()
    {
        var invitation = Request(Ayu, Person("budi"), Person("cici", new MessagePolicySet("cici", MessagePolicy.Following, Now)));

        invitation.RefusedBy.ShouldBe(["cici"]);
        invitation.ConversationEvents.ShouldBeEmpty();
    }

    [Fact]
    public void two_or_more_recipients_make_a_group() =>
        Request(Ayu, Person("budi"), Person("cici")).ConversationEvents[0]
            .ShouldBe(new ConversationStarted(Id, ConversationKind.Group, "ayu", null, null, Now));
}
