using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

public sealed class SendMessageSpecs
{
    private static When Send(object[] history, string sender, string messageId = "new", string? replyTo = null) =>
        Given(history).When(c => SendMessageHandler.Decide(new SendMessage(Id, messageId, sender, "hello", replyTo), c, throttle: null, Settings, Now));

    private static MessageSent Sent(long sequence, string sender, string? replyTo = null) =>
        new(Id, "new", sequence, sender, "hello", replyTo, Now);

    [Fact]
    public void a_member_writes_the_next_message_in_sequence() =>
        Send(Accepted(), "budi").Then(Sent(2, "budi"));

    [Fact]
    public void a_pending_recipients_reply_accepts_the_request() =>
        Send(PendingRequest(), "budi").Then(new RequestAccepted(Id, "ayu", "budi", ByReplying: true, Now), Sent(2, "budi"));

    [Fact]
    public void a_requester_may_send_at_most_three_messages_until_someone_accepts()
    {
        object[] twoMore = [.. PendingRequest(), Message(2, "ayu"), Message(3, "ayu")];
        Send([.. PendingRequest(), Message(2, "ayu")], "ayu").Then(Sent(3, "ayu"));
        Send(twoMore, "ayu").ThenFails(ViolationKind.Conflict, "pending_request_message_cap");
    }

    [Fact]
    public void the_cap_lifts_once_the_request_is_accepted() =>
        Send([.. PendingRequest(), Message(2, "ayu"), Message(3, "ayu"), new RequestAccepted(Id, "ayu", "budi", false, Now)], "ayu")
            .Then(Sent(4, "ayu"));

    [Fact]
    public void the_cap_applies_to_a_silently_suppressed_request_too_so_nothing_leaks() =>
        Send([Started(), new RequestSuppressed(Id, "ayu", "budi", AdmissionRules.Blocked, Now), Message(1, "ayu"), Message(2, "ayu"), Message(3, "ayu")], "ayu")
            .ThenFails(ViolationKind.Conflict, "pending_request_message_cap");

    [Fact]
    public void the_same_message_id_twice_changes_nothing() =>
        Send([.. Accepted(), Message(2, "budi", "new")], "budi", "new").ThenNothingHappened();

    [Fact]
    public void another_members_message_id_cannot_be_reused() =>
        Send([.. Accepted(), Message(2, "budi", "new")], "ayu", "new").ThenFails(ViolationKind.Conflict, "message_id_taken");

    [Fact]
    public void a_reply_names_a_message_of_the_conversation()
    {
        Send(Accepted(), "budi", replyTo: Opening).Then(Sent(2, "budi", Opening));
        Send(Accepted(), "budi", replyTo: "elsewhere").ThenFails(ViolationKind.NotFound, "message_not_found");
    }

    [Fact]
    public void an_outsider_or_an_unknown_conversation_is_not_found()
    {
        Send(Accepted(), "cici").ThenFails(ViolationKind.NotFound, "conversation_not_found");
        Send([], "ayu").ThenFails(ViolationKind.NotFound, "conversation_not_found");
    }

    [Fact]
    public void a_recipient_who_declined_or_was_suppressed_finds_nothing_there()
    {
        Send([.. PendingRequest(), new RequestDeclined(Id, "ayu", "budi", Now)], "budi").ThenFails(ViolationKind.NotFound, "conversation_not_found");
        Send([Started(), new RequestSuppressed(Id, "ayu", "budi", AdmissionRules.Blocked, Now), Message(1, "ayu")], "budi")
            .ThenFails(ViolationKind.NotFound, "conversation_not_found");
    }

    [Fact]
    public void someone_who_left_or_was_removed_may_not_write()
    {
        Send([.. Accepted(), new MemberLeft(Id, "budi", Now)], "budi").ThenFails(ViolationKind.Forbidden, "not_a_member");
        Send([.. Group(), new MemberRemoved(Id, "cici", "ayu", Now)], "cici").ThenFails(ViolationKind.Forbidden, "not_a_member");
    }
}
