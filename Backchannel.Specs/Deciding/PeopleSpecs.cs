using Backchannel.Domain.People;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

public sealed class PeopleSpecs
{
    private static Given<UserProfile> Ayu(params object[] events) =>
        new(Fold<UserProfile>(events) ?? UserProfile.Default("ayu"));

    [Fact]
    public void following_someone_records_it() =>
        Ayu().When(u => FollowingHandler.Decide(new FollowUser("ayu", "budi"), u!, Now)).Then(new UserFollowed("ayu", "budi", Now));

    [Fact]
    public void following_someone_twice_changes_nothing() =>
        Ayu(new UserFollowed("ayu", "budi", Now)).When(u => FollowingHandler.Decide(new FollowUser("ayu", "budi"), u!, Now)).ThenNothingHappened();

    [Fact]
    public void unfollowing_someone_you_follow_records_it() =>
        Ayu(new UserFollowed("ayu", "budi", Now)).When(u => FollowingHandler.Decide(new UnfollowUser("ayu", "budi"), u!, Now))
            .Then(new UserUnfollowed("ayu", "budi", Now));

    [Fact]
    public void unfollowing_someone_you_do_not_follow_changes_nothing() =>
        Ayu().When(u => FollowingHandler.Decide(new UnfollowUser("ayu", "budi"), u!, Now)).ThenNothingHappened();

    [Fact]
    public void blocking_someone_records_it_and_twice_changes_nothing()
    {
        Ayu().When(u => BlockingHandler.Decide(new BlockUser("ayu", "budi"), u!, Now)).Then(new UserBlocked("ayu", "budi", null, Now));
        Ayu(new UserBlocked("ayu", "budi", null, Now)).When(u => BlockingHandler.Decide(new BlockUser("ayu", "budi"), u!, Now)).ThenNothingHappened();
    }

    [Fact]
    public void unblocking_lifts_a_block_and_without_one_changes_nothing()
    {
        Ayu(new UserBlocked("ayu", "budi", null, Now)).When(u => BlockingHandler.Decide(new UnblockUser("ayu", "budi"), u!, Now))
            .Then(new UserUnblocked("ayu", "budi", Now));
        Ayu().When(u => BlockingHandler.Decide(new UnblockUser("ayu", "budi"), u!, Now)).ThenNothingHappened();
    }

    [Fact]
    public void the_message_policy_changes_only_when_it_differs()
    {
        Ayu().When(u => SetMessagePolicyHandler.Decide(new SetMessagePolicy("ayu", MessagePolicy.Following), u!, Now))
            .Then(new MessagePolicySet("ayu", MessagePolicy.Following, Now));
        Ayu().When(u => SetMessagePolicyHandler.Decide(new SetMessagePolicy("ayu", MessagePolicy.Everyone), u!, Now)).ThenNothingHappened();
    }
}
