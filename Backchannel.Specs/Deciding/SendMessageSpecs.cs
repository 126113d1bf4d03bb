using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Shouldly;
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

    /// <summary>A group of ayu's: budi follows ayu (admitted at once), cici and dodi are strangers she asked.</summary>
    private static object[] GroupWithAFollowerAndStrangers(params object[] then) =>
    [
        Started(ConversationKind.Group), AdmittedAutomatically("budi"), RequestTo("cici"), RequestTo("dodi"), Message(1, "ayu"), .. then,
    ];

    private static PendingMessagesCapped Capped(string userId, long upTo) => new(Id, userId, upTo, Now);

    [Fact]
    public void a_follower_admitted_at_once_does_not_lift_the_cap_the_strangers_see_only_the_first_messages() =>
        Send(GroupWithAFollowerAndStrangers(Message(2, "ayu"), Message(3, "ayu")), "ayu")
            .Then(Capped("cici", 3), Capped("dodi", 3), Sent(4, "ayu"));

    [Fact]
    public void a_stranger_is_capped_once_and_later_messages_reach_only_those_who_are_in() =>
        Send(GroupWithAFollowerAndStrangers(Message(2, "ayu"), Message(3, "ayu"), Capped("cici", 3), Capped("dodi", 3), Message(4, "ayu")), "ayu")
            .Then(Sent(5, "ayu"));

    [Fact]
    public void a_member_who_invited_nobody_writes_on_and_the_strangers_still_see_only_the_first_messages() =>
        Send(GroupWithAFollowerAndStrangers(Message(2, "ayu"), Message(3, "ayu")), "budi")
            .Then(Capped("cici", 3), Capped("dodi", 3), Sent(4, "budi"));

    [Fact]
    public void a_group_of_strangers_only_refuses_past_the_cap_until_someone_accepts()
    {
        object[] strangers = [Started(ConversationKind.Group), RequestTo("cici"), RequestTo("dodi"), Message(1, "ayu"), Message(2, "ayu"), Message(3, "ayu")];
        Send(strangers, "ayu").ThenFails(ViolationKind.Conflict, "pending_request_message_cap");
        Send([.. strangers, new RequestAccepted(Id, "ayu", "cici", false, Now)], "ayu").Then(Capped("dodi", 3), Sent(4, "ayu"));
    }

    [Fact]
    public void the_cap_counts_what_each_invitee_was_sent_since_their_invitation_whoever_wrote_it()
    {
        object[] accepted = [new RequestAccepted(Id, "ayu", "cici", false, Now), new RequestAccepted(Id, "ayu", "dodi", false, Now)];
        object[] invitedLater = [Message(2, "budi"), Message(3, "ayu"), Message(4, "budi"), new RequestSent(Id, "ayu", "eka", Now)];
        Send(GroupWithAFollowerAndStrangers([.. accepted, .. invitedLater, Message(5, "budi"), Message(6, "ayu")]), "ayu").Then(Sent(7, "ayu"));
        Send(GroupWithAFollowerAndStrangers([.. accepted, .. invitedLater, Message(5, "budi"), Message(6, "ayu"), Message(7, "budi")]), "ayu")
            .Then(Capped("eka", 7), Sent(8, "ayu"));
    }

    [Fact]
    public void a_stranger_who_accepts_reads_everything_from_their_invitation_on()
    {
        var state = Fold<Conversation>(GroupWithAFollowerAndStrangers(Message(2, "ayu"), Message(3, "ayu"), Capped("cici", 3), Capped("dodi", 3),
            Message(4, "ayu"), new RequestAccepted(Id, "ayu", "cici", false, Now)));
        state!.MemberOf("cici")!.MayRead(4).ShouldBeTrue();
        state.MemberOf("dodi")!.MayRead(4).ShouldBeFalse();
        state.MemberOf("dodi")!.MayRead(3).ShouldBeTrue();
    }

    public static readonly TheoryData<string> Fates = new() { "declined", "blocked", "reported", "suppressed" };

    private static object[] DirectRequestThat(string fate, params object[] then) =>
    [
        Started(),
        fate == "suppressed" ? new RequestSuppressed(Id, "ayu", "budi", AdmissionRules.Blocked, Now) : RequestTo("budi"),
        Message(1, "ayu"),
        .. fate switch
        {
            "declined" => new object[] { new RequestDeclined(Id, "ayu", "budi", Now) },
            "blocked" => [new RequesterBlocked(Id, "ayu", "budi", Now)],
            "reported" => [new RequestReported(Id, "ayu", "budi", "spam", Now)],
            _ => [],
        },
        .. then,
    ];

    [Theory]
    [MemberData(nameof(Fates))]
    public void a_request_turned_down_caps_the_sender_exactly_like_one_still_waiting(string fate)
    {
        Send(DirectRequestThat(fate, Message(2, "ayu")), "ayu").Then(Sent(3, "ayu"));
        Send(DirectRequestThat(fate, Message(2, "ayu"), Message(3, "ayu")), "ayu").ThenFails(ViolationKind.Conflict, "pending_request_message_cap");
    }

    [Theory]
    [MemberData(nameof(Fates))]
    public void a_request_turned_down_is_paced_exactly_like_one_still_waiting(string fate)
    {
        DateTimeOffset[] fiveElsewhere = [.. Enumerable.Repeat(Now, 5)];
        var send = new SendMessage(Id, "m2", "ayu", "hello?", null);
        var waiting = SendMessageHandler.Pace(send, Fold<Conversation>(DirectRequestThat("pending")), fiveElsewhere, Settings, Now);
        var turnedDown = SendMessageHandler.Pace(send, Fold<Conversation>(DirectRequestThat(fate)), fiveElsewhere, Settings, Now);
        turnedDown.ShouldBe(waiting);
        turnedDown!.Refused.ShouldBeTrue();
    }

    [Fact]
    public void a_requester_is_paced_in_a_group_where_a_follower_was_admitted_at_once()
    {
        var send = new SendMessage(Id, "m2", "ayu", "hello?", null);
        SendMessageHandler.Pace(send, Fold<Conversation>(GroupWithAFollowerAndStrangers()), [.. Enumerable.Repeat(Now, 5)], Settings, Now)!
            .Refused.ShouldBeTrue();
    }
}
