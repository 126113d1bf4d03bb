using Backchannel.Projections.Audit;
using Backchannel.Projections.Rooms;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>Message requests over HTTP: who gets what, in which inbox, and what each side sees of a decision.</summary>
public sealed class RequestFlowSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task a_request_from_a_stranger_waits_in_the_requests_inbox_not_the_inbox()
    {
        var id = await As("ayu").StartConversation("budi");

        var requests = await As("budi").Requests();
        requests.ShouldHaveSingleItem().ConversationId.ShouldBe(id);
        requests[0].From.ShouldBe("ayu");
        requests[0].OpeningMessage!.Text.ShouldBe("hello");
        requests[0].WaitingMessages.ShouldBe(1);
        (await As("budi").Inbox()).ShouldBeEmpty();
        (await As("ayu").Inbox()).ShouldHaveSingleItem().ConversationId.ShouldBe(id);
    }

    [Fact]
    public async Task a_recipient_who_follows_the_sender_gets_it_in_the_inbox_at_once()
    {
        await As("budi").Follow("ayu");
        var id = await As("ayu").StartConversation("budi");

        (await As("budi").Requests()).ShouldBeEmpty();
        var inbox = await As("budi").Inbox();
        inbox.ShouldHaveSingleItem().ConversationId.ShouldBe(id);
        inbox[0].UnreadCount.ShouldBe(1);
    }

    [Fact]
    public async Task the_requests_inbox_shows_people_in_common_and_the_room_where_they_met()
    {
        foreach (var both in new[] { "cici", "dodi" })
        {
            await As("ayu").Follow(both);
            await As("budi").Follow(both);
        }
        await As("budi").Follow("eka");
        var room = await As("eka").StartRoom("Poetry night");
        await As("ayu").Join(room.RoomId);
        await As("budi").Join(room.RoomId);
        await As("ayu").StartConversation("hi from the room", ["budi"], roomId: room.RoomId);

        var request = (await As("budi").Requests()).ShouldHaveSingleItem();
        request.Context.PeopleInCommon.ShouldBe(["cici", "dodi"]);
        request.Context.Room.ShouldBe(new RoomLink(room.RoomId, "Poetry night", Ended: false));
    }

    [Fact]
    public async Task accepting_moves_the_conversation_to_the_inbox()
    {
        var id = await As("ayu").StartConversation("budi");
        await As("budi").Post($"/conversations/{id}/accept");

        (await As("budi").Requests()).ShouldBeEmpty();
        (await As("budi").Inbox()).ShouldHaveSingleItem().ConversationId.ShouldBe(id);
    }

    [Fact]
    public async Task replying_to_a_request_accepts_it()
    {
        var id = await As("ayu").StartConversation("budi");
        await As("budi").Say(id, "hey!");

        (await As("budi").Inbox()).ShouldHaveSingleItem().ConversationId.ShouldBe(id);
        (await As("ayu").Thread(id)).Members.Single(m => m.UserId == "budi").Status.ShouldBe("active");
    }

    [Fact]
    public async Task a_declined_request_disappears_for_the_recipient_while_the_sender_sees_nothing_change()
    {
        var id = await As("ayu").StartConversation("budi");
        var before = await As("ayu").Thread(id);
        await As("budi").Post($"/conversations/{id}/decline");

        (await As("budi").Requests()).ShouldBeEmpty();
        (await As("budi").Inbox()).ShouldBeEmpty();
        await As("budi").Get($"/conversations/{id}", 404);
        var after = await As("ayu").Thread(id);
        after.Members.ShouldBe(before.Members);
        after.Members.Single(m => m.UserId == "budi").Status.ShouldBe("invited");
    }

    [Fact]
    public async Task blocking_a_requester_declines_and_silently_suppresses_their_next_requests()
    {
        var first = await As("ayu").StartConversation("budi");
        await As("budi").Post($"/conversations/{first}/block");

        var second = await As("ayu").StartConversation("budi");
        second.ShouldNotBe(first);
        (await As("budi").Requests()).ShouldBeEmpty();
        (await As("budi").Inbox()).ShouldBeEmpty();
        (await As("ayu").Thread(second)).Members.Single(m => m.UserId == "budi").Status.ShouldBe("invited");
    }

    [Fact]
    public async Task reporting_a_request_declines_it_and_files_the_report_with_its_reason()
    {
        var id = await As("ayu").StartConversation("budi");
        await As("budi").Post($"/conversations/{id}/report", new { reason = "spam" });

        (await As("budi").Requests()).ShouldBeEmpty();
        await AsyncViewsCaughtUp();
        var audit = await As("budi").Items<RequestAuditEntry>("/audit/requests");
        audit.Select(e => (e.Decision, e.Reason)).ShouldBe([("sent", null), ("reported", "spam")]);
    }

    [Fact]
    public async Task someone_who_hears_only_from_people_they_follow_refuses_strangers_with_403_and_it_is_recorded()
    {
        await As("budi").Put("/me/policy", new { policy = "following" });

        var problem = await As("ayu").Refused(c => c.Post("/conversations", new { to = new[] { "budi" }, text = "hi" }, 403));
        problem.Extensions["code"]!.ToString().ShouldBe("policy_following_only");
        problem.Extensions["refusedBy"]!.ToString()!.ShouldContain("budi");
        (await As("budi").Requests()).ShouldBeEmpty();
        (await As("ayu").Inbox()).ShouldBeEmpty();

        await AsyncViewsCaughtUp();
        var audit = (await As("ayu").Items<RequestAuditEntry>("/audit/requests")).ShouldHaveSingleItem();
        (audit.Decision, audit.Rule, audit.Actor).ShouldBe(("suppressed", "policy_following_only", "system"));

        await As("budi").Follow("ayu");
        await As("ayu").StartConversation("budi");
        (await As("budi").Inbox()).ShouldHaveSingleItem("people they follow still get through");
    }

    [Fact]
    public async Task a_requester_may_send_three_messages_until_the_request_is_accepted()
    {
        var id = await As("ayu").StartConversation("budi");
        await As("ayu").Say(id);
        await As("ayu").Say(id);

        var problem = await As("ayu").Refused(c => c.Post($"/conversations/{id}/messages", new { text = "4th" }, 409));
        problem.Extensions["code"]!.ToString().ShouldBe("pending_request_message_cap");
        (await As("budi").Requests()).Single().WaitingMessages.ShouldBe(3);

        await As("budi").Post($"/conversations/{id}/accept");
        await As("ayu").Say(id, "now we talk");
    }

    [Fact]
    public async Task a_pending_requester_gets_no_read_receipts()
    {
        var id = await As("ayu").StartConversation("budi");
        var opening = (await As("ayu").Thread(id)).Messages[0].Id;
        await As("budi").Post($"/conversations/{id}/read", new { upToMessageId = opening });

        (await As("ayu").Thread(id)).Members.Single(m => m.UserId == "budi").ReadUpToMessageId.ShouldBeNull();
        (await As("budi").Thread(id)).Members.Single(m => m.UserId == "budi").ReadUpToMessageId.ShouldBe(opening, "you see your own marker");

        await As("budi").Post($"/conversations/{id}/accept");
        (await As("ayu").Thread(id)).Members.Single(m => m.UserId == "budi").ReadUpToMessageId.ShouldBe(opening);
    }

    [Fact]
    public async Task a_follower_admitted_at_once_lets_nothing_past_the_cap_reach_the_strangers_in_a_group()
    {
        await As("puppet").Follow("ayu");
        var strangers = Enumerable.Range(1, 13).Select(i => $"stranger{i}").ToArray();
        var id = (await As("ayu").StartConversation("buy now", ["puppet", .. strangers])).ConversationId;
        await As("ayu").Say(id);
        await As("ayu").Say(id);

        await As("ayu").Say(id, "4th: only the puppet reads it");
        await As("puppet").Say(id, "the puppet's own words reach no stranger either");

        foreach (var stranger in strangers)
        {
            (await As(stranger).Requests()).Single().WaitingMessages.ShouldBe(3);
            (await As(stranger).Thread(id)).Messages.Count.ShouldBe(3, $"{stranger}'s request shows only the first messages");
        }
        await As("stranger1").Post($"/conversations/{id}/accept");
        (await As("stranger1").Thread(id)).Messages.Count.ShouldBe(5, "once in, they read everything from their invitation on");
        (await As("stranger2").Thread(id)).Messages.Count.ShouldBe(3);
    }

    [Fact]
    public async Task a_request_suppressed_by_a_block_reads_to_the_requester_as_a_request_sent()
    {
        await As("cici").Post("/blocks/ayu");
        var sent = await As("ayu").StartConversation("budi");
        var suppressed = await As("ayu").StartConversation("cici");

        await AsyncViewsCaughtUp();
        var audit = await As("ayu").Items<RequestAuditEntry>("/audit/requests");
        audit.Count.ShouldBe(2);
        var (toBudi, toCici) = (audit.Single(e => e.ConversationId == sent), audit.Single(e => e.ConversationId == suppressed));
        (toCici.Decision, toCici.Actor, toCici.Rule, toCici.Reason, toCici.RequesterSees)
            .ShouldBe((toBudi.Decision, toBudi.Actor, toBudi.Rule, toBudi.Reason, toBudi.RequesterSees));
        toCici.Decision.ShouldBe("sent");
        (await As("cici").Items<RequestAuditEntry>("/audit/requests")).ShouldHaveSingleItem().Decision.ShouldBe("suppressed");
    }
}
