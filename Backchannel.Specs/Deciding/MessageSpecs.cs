using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Editing, deleting, reacting to, reading and reporting messages.</summary>
public sealed class MessageSpecs
{
    [Fact]
    public void only_the_author_edits_a_message()
    {
        Given(Accepted()).When(c => ChangingMessagesHandler.Decide(new EditMessage(Id, Opening, "ayu", "fixed"), c, Now))
            .Then(new MessageEdited(Id, Opening, "ayu", "fixed", Now));
        Given(Accepted()).When(c => ChangingMessagesHandler.Decide(new EditMessage(Id, Opening, "budi", "mine now"), c, Now))
            .ThenFails(ViolationKind.Forbidden, "not_the_author");
    }

    [Fact]
    public void a_deleted_message_cannot_be_edited() =>
        Given([.. Accepted(), new MessageDeleted(Id, Opening, "ayu", Now)])
            .When(c => ChangingMessagesHandler.Decide(new EditMessage(Id, Opening, "ayu", "again"), c, Now))
            .ThenFails(ViolationKind.Conflict, "message_deleted");

    [Fact]
    public void a_pending_recipient_must_accept_before_anything_but_reading_and_replying() =>
        Given([.. PendingRequest(), Message(2, "ayu")])
            .When(c => ReactingHandler.Decide(new ReactToMessage(Id, "m2", "budi", "🔥"), c, Now))
            .ThenFails(ViolationKind.Forbidden, "request_not_accepted");

    [Fact]
    public void only_the_author_deletes_a_message_and_deleting_twice_changes_nothing()
    {
        Given(Accepted()).When(c => ChangingMessagesHandler.Decide(new DeleteMessage(Id, Opening, "ayu"), c, Now))
            .Then(new MessageDeleted(Id, Opening, "ayu", Now));
        Given(Accepted()).When(c => ChangingMessagesHandler.Decide(new DeleteMessage(Id, Opening, "budi"), c, Now))
            .ThenFails(ViolationKind.Forbidden, "not_the_author");
        Given([.. Accepted(), new MessageDeleted(Id, Opening, "ayu", Now)])
            .When(c => ChangingMessagesHandler.Decide(new DeleteMessage(Id, Opening, "ayu"), c, Now)).ThenNothingHappened();
    }

    [Fact]
    public void a_reaction_is_given_once_and_withdrawn_once()
    {
        var reacted = new ReactionAdded(Id, Opening, "budi", "🔥", Now);
        Given(Accepted()).When(c => ReactingHandler.Decide(new ReactToMessage(Id, Opening, "budi", "🔥"), c, Now)).Then(reacted);
        Given([.. Accepted(), reacted]).When(c => ReactingHandler.Decide(new ReactToMessage(Id, Opening, "budi", "🔥"), c, Now)).ThenNothingHappened();
        Given([.. Accepted(), reacted]).When(c => ReactingHandler.Decide(new WithdrawReaction(Id, Opening, "budi", "🔥"), c, Now))
            .Then(new ReactionWithdrawn(Id, Opening, "budi", "🔥", Now));
        Given(Accepted()).When(c => ReactingHandler.Decide(new WithdrawReaction(Id, Opening, "budi", "🔥"), c, Now)).ThenNothingHappened();
    }

    [Fact]
    public void nobody_reacts_to_a_deleted_message() =>
        Given([.. Accepted(), new MessageDeleted(Id, Opening, "ayu", Now)])
            .When(c => ReactingHandler.Decide(new ReactToMessage(Id, Opening, "budi", "🔥"), c, Now))
            .ThenFails(ViolationKind.Conflict, "message_deleted");

    [Fact]
    public void reading_moves_the_marker_forward_only()
    {
        object[] history = [.. Accepted(), Message(2, "ayu"), Message(3, "ayu")];
        Given(history).When(c => MembershipHandler.Decide(new MarkRead(Id, "budi", "m3"), c, Now)).Then(new MessagesRead(Id, "budi", "m3", 3, Now));
        Given([.. history, new MessagesRead(Id, "budi", "m3", 3, Now)])
            .When(c => MembershipHandler.Decide(new MarkRead(Id, "budi", "m2"), c, Now)).ThenNothingHappened();
        Given(history).When(c => MembershipHandler.Decide(new MarkRead(Id, "budi", "m9"), c, Now)).ThenFails(ViolationKind.NotFound, "message_not_found");
    }

    [Fact]
    public void a_pending_recipient_may_read_the_request() =>
        Given(PendingRequest()).When(c => MembershipHandler.Decide(new MarkRead(Id, "budi", Opening), c, Now))
            .Then(new MessagesRead(Id, "budi", Opening, 1, Now));

    [Fact]
    public void a_message_is_reported_by_others_once_and_never_by_its_author()
    {
        var reported = new MessageReported(Id, Opening, "budi", "ayu", "rude", Now);
        Given(Accepted()).When(c => ReportMessageHandler.Decide(new ReportMessage(Id, Opening, "budi", "rude"), c, Now)).Then(reported);
        Given([.. Accepted(), reported]).When(c => ReportMessageHandler.Decide(new ReportMessage(Id, Opening, "budi", "rude"), c, Now)).ThenNothingHappened();
        Given(Accepted()).When(c => ReportMessageHandler.Decide(new ReportMessage(Id, Opening, "ayu", null), c, Now))
            .ThenFails(ViolationKind.Conflict, "own_message");
    }
}
