using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Embedding;

/// <summary>
/// Clearing the requests inbox is a command like any other: sent over the bus with nothing but the user, it finds the
/// requests waiting for them itself, so an app needs no view to build it.
/// </summary>
public sealed class ClearingRequestsSpecs(AppFixture app) : AppSpec(app)
{
    private async Task<IMessageBus> Bus()
    {
        var scope = Host.Services.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<IMessageBus>();
    }

    /// <summary>
    /// Three requests wait for budi (two from ayu, one from cici); he accepted dodi's and is in one that follows him; eka
    /// waits in a conversation budi started.
    /// </summary>
    private static async Task ArrangeAsync(IMessageBus bus)
    {
        await bus.InvokeAsync<ConversationRequested>(new RequestConversation("from-ayu-1", "ayu", ["budi"], "hi", null));
        await bus.InvokeAsync<ConversationRequested>(new RequestConversation("from-ayu-2", "ayu", ["budi"], "hi again", null));
        await bus.InvokeAsync<ConversationRequested>(new RequestConversation("from-cici", "cici", ["budi"], "hello", null));
        await bus.InvokeAsync<ConversationRequested>(new RequestConversation("from-dodi", "dodi", ["budi"], "hey", null));
        await bus.InvokeAsync(new AcceptRequest("from-dodi", "budi"));
        await bus.InvokeAsync(new FollowUser("budi", "fani"));
        await bus.InvokeAsync<ConversationRequested>(new RequestConversation("from-fani", "fani", ["budi"], "yo", null));
        await bus.InvokeAsync<ConversationRequested>(new RequestConversation("to-eka", "budi", ["eka"], "hi eka", null));
    }

    private async Task<Dictionary<string, MemberStatus?>> StatusesAsync(string userId, params string[] conversations)
    {
        await using var session = Store.QuerySession();
        var loaded = await session.LoadManyAsync<Conversation>(conversations);
        return conversations.ToDictionary(id => id, id => loaded.Single(c => c.Id == id).MemberOf(userId)?.Status);
    }

    private async Task<long> EventCountAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    [Fact]
    public async Task declining_all_over_the_bus_declines_exactly_the_requests_waiting_for_the_user()
    {
        var bus = await Bus();
        await ArrangeAsync(bus);

        var cleared = await bus.InvokeAsync<RequestsCleared>(new DeclineAllRequests("budi"));

        cleared.ShouldBe(new RequestsCleared(3, 0));
        (await StatusesAsync("budi", "from-ayu-1", "from-ayu-2", "from-cici", "from-dodi", "from-fani", "to-eka")).ShouldBe(new Dictionary<string, MemberStatus?>
        {
            ["from-ayu-1"] = MemberStatus.Declined,
            ["from-ayu-2"] = MemberStatus.Declined,
            ["from-cici"] = MemberStatus.Declined,
            ["from-dodi"] = MemberStatus.Active,
            ["from-fani"] = MemberStatus.Active,
            ["to-eka"] = MemberStatus.Active,
        });
        (await StatusesAsync("eka", "to-eka"))["to-eka"].ShouldBe(MemberStatus.Pending, "someone else's request is not budi's to decline");
    }

    [Fact]
    public async Task declining_all_again_finds_nothing_and_appends_nothing()
    {
        var bus = await Bus();
        await ArrangeAsync(bus);
        await bus.InvokeAsync<RequestsCleared>(new DeclineAllRequests("budi"));
        var before = await EventCountAsync();

        (await bus.InvokeAsync<RequestsCleared>(new DeclineAllRequests("budi"))).ShouldBe(new RequestsCleared(0, 0));

        (await EventCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task blocking_all_over_the_bus_declines_every_waiting_request_and_blocks_each_requester_once()
    {
        var bus = await Bus();
        await ArrangeAsync(bus);

        var cleared = await bus.InvokeAsync<RequestsCleared>(new BlockAllRequesters("budi"));

        cleared.ShouldBe(new RequestsCleared(3, 2));
        (await StatusesAsync("budi", "from-ayu-1", "from-ayu-2", "from-cici", "from-dodi")).Values
            .ShouldBe([MemberStatus.BlockedRequester, MemberStatus.BlockedRequester, MemberStatus.BlockedRequester, MemberStatus.Active]);
        await using var session = Store.QuerySession();
        var profile = (await session.LoadAsync<UserProfile>("budi"))!;
        profile.HasBlocked("ayu").ShouldBeTrue();
        profile.HasBlocked("cici").ShouldBeTrue();
        profile.HasBlocked("dodi").ShouldBeFalse("an accepted conversation is not a request");
        (await session.Events.QueryRawEventDataOnly<UserBlocked>().CountAsync()).ShouldBe(2);
    }

    [Fact]
    public async Task a_user_with_no_request_waiting_clears_nothing()
    {
        var bus = await Bus();
        await ArrangeAsync(bus);
        var before = await EventCountAsync();

        (await bus.InvokeAsync<RequestsCleared>(new BlockAllRequesters("eka_never_asked"))).ShouldBe(new RequestsCleared(0, 0));

        (await EventCountAsync()).ShouldBe(before);
    }
}
