using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Shouldly;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

public sealed class GroupSpecs
{
    private static Invitation Add(object[] history, string by, params UserProfile[] invitees) =>
        GroupsHandler.Decide(new AddMembers(Id, by, invitees.Select(i => i.Id).ToList()), Fold<Conversation>(history),
            UserProfile.Default(by), invitees, Settings, Now);

    [Fact]
    public void any_member_names_the_group_and_the_same_name_changes_nothing()
    {
        Given(Group()).When(c => GroupsHandler.Decide(new RenameGroup(Id, "budi", "Planning"), c, Now)).Then(new GroupRenamed(Id, "budi", "Planning", Now));
        Given([.. Group(), new GroupRenamed(Id, "budi", "Planning", Now)])
            .When(c => GroupsHandler.Decide(new RenameGroup(Id, "cici", "Planning"), c, Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_direct_conversation_has_no_name() =>
        Given(Accepted()).When(c => GroupsHandler.Decide(new RenameGroup(Id, "budi", "Us"), c, Now)).ThenFails(ViolationKind.Conflict, "not_a_group");

    [Fact]
    public void a_new_member_decides_like_a_recipient_relative_to_who_invited_them()
    {
        Add(Group(), "budi", UserProfile.Default("dodi")).ConversationEvents.ShouldBe([new RequestSent(Id, "budi", "dodi", Now)]);
        var follower = Fold<UserProfile>([new UserFollowed("dodi", "budi", Now)])!;
        Add(Group(), "budi", follower).ConversationEvents
            .ShouldBe([new RequestAdmittedAutomatically(Id, "budi", "dodi", AdmissionRules.RecipientFollowsSender, Now)]);
    }

    [Fact]
    public void people_already_in_the_group_are_skipped_and_someone_who_left_is_asked_again()
    {
        Add(Group(), "ayu", UserProfile.Default("cici")).ConversationEvents.ShouldBeEmpty();
        Add([.. Group(), new MemberLeft(Id, "cici", Now)], "ayu", UserProfile.Default("cici")).ConversationEvents
            .ShouldBe([new RequestSent(Id, "ayu", "cici", Now)]);
    }

    [Fact]
    public void a_group_holds_at_most_the_configured_number_of_members()
    {
        var twelve = Enumerable.Range(1, 12).Select(i => UserProfile.Default($"user{i}")).ToArray();
        Add(Group(), "ayu", twelve).ConversationEvents.Count.ShouldBe(12);
        var violation = Should.Throw<RuleViolation>(() => Add(Group(), "ayu", [.. twelve, UserProfile.Default("one_more")]));
        violation.Code.ShouldBe("group_full");
    }

    [Fact]
    public void an_invitation_refused_by_an_invitees_policy_adds_nobody()
    {
        var privateOne = Fold<UserProfile>([new MessagePolicySet("dodi", MessagePolicy.Following, Now)])!;
        var invitation = Add(Group(), "ayu", UserProfile.Default("eka"), privateOne);
        invitation.RefusedBy.ShouldBe(["dodi"]);
        invitation.ConversationEvents.ShouldBeEmpty();
    }

    [Fact]
    public void only_the_creator_removes_members()
    {
        Given(Group()).When(c => GroupsHandler.Decide(new RemoveMember(Id, "ayu", "cici"), c, Now)).Then(new MemberRemoved(Id, "cici", "ayu", Now));
        Given(Group()).When(c => GroupsHandler.Decide(new RemoveMember(Id, "budi", "cici"), c, Now)).ThenFails(ViolationKind.Forbidden, "not_the_creator");
    }

    [Fact]
    public void removing_someone_no_longer_there_changes_nothing_and_a_stranger_is_not_found()
    {
        Given([.. Group(), new MemberLeft(Id, "cici", Now)]).When(c => GroupsHandler.Decide(new RemoveMember(Id, "ayu", "cici"), c, Now)).ThenNothingHappened();
        Given(Group()).When(c => GroupsHandler.Decide(new RemoveMember(Id, "ayu", "zed"), c, Now)).ThenFails(ViolationKind.NotFound, "member_not_found");
    }

    /// <summary>ayu's group: budi in (follows ayu), dodi invited as a stranger, then dodi's fate.</summary>
    private static object[] GroupInviting(string fate) =>
    [
        Started(ConversationKind.Group), AdmittedAutomatically("budi"),
        .. fate == "suppressed"
            ? new object[] { new RequestSuppressed(Id, "ayu", "dodi", AdmissionRules.Blocked, Now) }
            : [RequestTo("dodi")],
        Message(1, "ayu"),
        .. fate switch
        {
            "declined" => new object[] { new RequestDeclined(Id, "ayu", "dodi", Now) },
            "blocked" => [new RequesterBlocked(Id, "ayu", "dodi", Now)],
            "reported" => [new RequestReported(Id, "ayu", "dodi", "spam", Now)],
            _ => [],
        },
    ];

    public static readonly TheoryData<string> TurnedDown = new() { "declined", "blocked", "reported", "suppressed" };

    [Theory]
    [MemberData(nameof(TurnedDown))]
    public void inviting_again_someone_who_turned_the_group_down_changes_nothing_like_inviting_someone_still_invited(string fate)
    {
        Add(GroupInviting("pending"), "ayu", UserProfile.Default("dodi")).ConversationEvents.ShouldBeEmpty();
        Add(GroupInviting(fate), "ayu", UserProfile.Default("dodi")).ConversationEvents.ShouldBeEmpty();
        Add(GroupInviting(fate), "budi", UserProfile.Default("dodi")).ConversationEvents.ShouldBeEmpty("whoever invites them");
    }

    [Theory]
    [MemberData(nameof(TurnedDown))]
    public void someone_who_turned_the_group_down_is_removed_exactly_like_someone_still_invited(string fate)
    {
        Given(GroupInviting("pending")).When(c => GroupsHandler.Decide(new RemoveMember(Id, "ayu", "dodi"), c, Now))
            .Then(new MemberRemoved(Id, "dodi", "ayu", Now));
        Given(GroupInviting(fate)).When(c => GroupsHandler.Decide(new RemoveMember(Id, "ayu", "dodi"), c, Now))
            .Then(new MemberRemoved(Id, "dodi", "ayu", Now));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("declined")]
    [InlineData("blocked")]
    [InlineData("reported")]
    [InlineData("suppressed")]
    public void someone_who_turned_the_group_down_counts_towards_its_size_like_someone_still_invited(string fate)
    {
        var twelve = Enumerable.Range(1, 12).Select(i => UserProfile.Default($"user{i}")).ToArray();
        Add(GroupInviting(fate), "ayu", twelve).ConversationEvents.Count.ShouldBe(12);
        Should.Throw<RuleViolation>(() => Add(GroupInviting(fate), "ayu", [.. twelve, UserProfile.Default("one_more")])).Code.ShouldBe("group_full");
    }

    [Theory]
    [InlineData("declined")]
    [InlineData("blocked")]
    [InlineData("reported")]
    public void someone_removed_after_turning_the_group_down_and_invited_again_never_gets_the_request_back(string fate)
    {
        object[] removed = [.. GroupInviting(fate), new MemberRemoved(Id, "dodi", "ayu", Now)];
        Add(removed, "budi", UserProfile.Default("dodi")).ConversationEvents
            .ShouldBe([new RequestSuppressed(Id, "budi", "dodi", AdmissionRules.TurnedDownBefore, Now)]);
        Add([.. GroupInviting("pending"), new MemberRemoved(Id, "dodi", "ayu", Now)], "budi", UserProfile.Default("dodi")).ConversationEvents
            .ShouldBe([new RequestSent(Id, "budi", "dodi", Now)], "someone who never answered is asked again");
        Add([.. removed, new RequestSuppressed(Id, "budi", "dodi", AdmissionRules.TurnedDownBefore, Now), new MemberRemoved(Id, "dodi", "ayu", Now)],
            "ayu", UserProfile.Default("dodi")).ConversationEvents
            .ShouldBe([new RequestSuppressed(Id, "ayu", "dodi", AdmissionRules.TurnedDownBefore, Now)], "and again");
    }

    [Theory]
    [InlineData("declined")]
    [InlineData("blocked")]
    [InlineData("reported")]
    public void someone_removed_after_turning_the_group_down_still_finds_nothing_there(string fate) =>
        Given([.. GroupInviting(fate), new MemberRemoved(Id, "dodi", "ayu", Now)])
            .When(c => SendMessageHandler.Decide(new SendMessage(Id, "m9", "dodi", "hi", null), c, null, Settings, Now))
            .ThenFails(ViolationKind.NotFound, "conversation_not_found");
}
