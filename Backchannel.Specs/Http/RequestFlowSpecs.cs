using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

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
}
