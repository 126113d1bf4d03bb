using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Backchannel.Specs.Browser;

/// <summary>A live room in two browsers: a moderator on the stage and a listener in the audience.</summary>
public sealed class RoomBrowserSpecs(BrowserFixture browser) : BrowserSpec(browser)
{
    [Fact]
    public async Task a_listeners_question_shows_in_the_moderation_queue_live_and_the_answer_reaches_the_listener()
    {
        var (host, listener) = await OpenRoom("Office hours");

        await listener.GetByLabel("Your question", new() { Exact = true }).FillAsync("What ships next week?");
        await listener.GetByRole(AriaRole.Button, new() { Name = "Ask", Exact = true }).ClickAsync();
        await Expect(YourQuestions(listener)).ToContainTextAsync("waiting for the stage");

        var waiting = host.GetByRole(AriaRole.List, new() { Name = "Questions waiting, most votes first" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "What ships next week?" });
        await Expect(waiting).ToBeVisibleAsync();
        await Expect(waiting).ToContainTextAsync($"from {Handle("budi")}");
        await Screenshot(host, "room-moderation");

        await host.GetByRole(AriaRole.Button, new() { Name = "Answer: What ships next week?" }).ClickAsync();
        await host.GetByLabel("Answer", new() { Exact = true }).FillAsync("The web client, with its browser specs.");
        await host.GetByLabel("Who reads it", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Everyone in the room" });
        await host.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();

        await Expect(YourQuestions(listener)).ToContainTextAsync($"Answer from {Handle("ayu")}: The web client, with its browser specs.");
        await Expect(listener.GetByRole(AriaRole.List, new() { Name = "Questions in the room" })).ToContainTextAsync("The web client, with its browser specs.");
        await Screenshot(listener, "room-listener");
    }

    [Fact]
    public async Task an_approved_question_is_upvoted_in_the_room_and_its_asker_is_promoted_to_the_stage_backchannel()
    {
        var (host, listener) = await OpenRoom("Design review");

        await listener.GetByRole(AriaRole.Button, new() { Name = "Raise hand" }).ClickAsync();
        await Expect(host.GetByRole(AriaRole.List, new() { Name = "Raised hands, first raised first" })).ToContainTextAsync(Handle("budi"));
        await listener.GetByLabel("Your question", new() { Exact = true }).FillAsync("Can I show my mock-ups?");
        await listener.GetByLabel("Ask anonymously", new() { Exact = true }).UncheckAsync();
        await listener.GetByLabel("Your question", new() { Exact = true }).PressAsync("Enter");

        await host.GetByRole(AriaRole.Button, new() { Name = "Approve: Can I show my mock-ups?" }).ClickAsync();
        var upvote = listener.GetByRole(AriaRole.Button, new() { Name = "Upvote: Can I show my mock-ups?" });
        await Expect(upvote).ToBeVisibleAsync();
        await upvote.ClickAsync();
        await Expect(upvote).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(host.GetByRole(AriaRole.List, new() { Name = "Approved questions" })).ToContainTextAsync("1 vote");

        await host.GetByRole(AriaRole.Button, new() { Name = $"Invite {Handle("budi")} to the stage" }).First.ClickAsync();
        await Expect(listener.GetByText("You are a speaker in this room.")).ToBeVisibleAsync();
        await Expect(listener.GetByRole(AriaRole.Heading, new() { Name = "Stage backchannel" })).ToBeVisibleAsync();

        await Say(host, "Budi, you are up after this one", "Message to Stage backchannel");
        await Expect(listener.GetByRole(AriaRole.List, new() { Name = "Stage backchannel messages" })).ToContainTextAsync("Budi, you are up after this one");
        await Screenshot(host, "room-stage");
    }

    private static ILocator YourQuestions(IPage page) => page.GetByRole(AriaRole.List, new() { Name = "Your questions" });

    /// <summary>Ayu starts a room and budi joins it by its id, each in their own browser.</summary>
    private async Task<(IPage Host, IPage Listener)> OpenRoom(string title)
    {
        var host = await SignIn(Handle("ayu"));
        await Go(host, "Rooms");
        await host.GetByLabel("Title", new() { Exact = true }).FillAsync(title);
        await host.GetByRole(AriaRole.Button, new() { Name = "Start room" }).ClickAsync();
        await Expect(host.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        await Expect(host.GetByText("You are a moderator in this room.")).ToBeVisibleAsync();
        var roomId = new Uri(host.Url).Segments[^1];

        var listener = await SignIn(Handle("budi"));
        await Go(listener, "Rooms");
        await listener.GetByLabel("Room id", new() { Exact = true }).FillAsync(roomId);
        await listener.GetByRole(AriaRole.Button, new() { Name = "Join room" }).ClickAsync();
        await Expect(listener.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        await Expect(listener.GetByText("You are a listener in this room.")).ToBeVisibleAsync();
        return (host, listener);
    }
}
