using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Backchannel.Specs.Browser;

/// <summary>Two people in two browser contexts: a request, its acceptance, and messages both ways, live.</summary>
public sealed class ConversationBrowserSpecs(BrowserFixture browser) : BrowserSpec(browser)
{
    [Fact]
    public async Task a_request_shows_in_the_requests_inbox_within_a_second_and_once_accepted_messages_arrive_live_both_ways()
    {
        var (ayu, budi) = (Handle("ayu"), Handle("budi"));
        var ayuPage = await SignIn(ayu);
        var budiPage = await SignIn(budi);
        await Go(budiPage, "Requests");
        await Expect(budiPage.GetByRole(AriaRole.Heading, new() { Name = "Requests", Level = 1 })).ToBeVisibleAsync();
        await Screenshot(ayuPage, "inbox");

        await Request(ayuPage, budi, "Hi budi, loved your question in the room");

        var request = budiPage.GetByRole(AriaRole.List, new() { Name = "Message requests" }).GetByRole(AriaRole.Listitem, new() { Name = $"Request from {ayu}" });
        await Expect(request).ToBeVisibleAsync(new() { Timeout = 1000 });
        await Expect(request).ToContainTextAsync("Hi budi, loved your question in the room");
        await Expect(request).ToContainTextAsync("No people in common");
        await Expect(budiPage.GetByRole(AriaRole.Log, new() { Name = "Announcements" })).ToContainTextAsync($"New message request from {ayu}");
        await Screenshot(budiPage, "requests");

        await request.GetByRole(AriaRole.Button, new() { Name = $"Accept request from {ayu}" }).ClickAsync();
        await Expect(budiPage.GetByRole(AriaRole.Heading, new() { Name = $"Conversation with {ayu}", Level = 1 })).ToBeVisibleAsync();
        await Expect(Message(budiPage, "Hi budi, loved your question in the room")).ToBeVisibleAsync();

        await Say(budiPage, "Thank you! It was a good room");
        await Expect(Message(ayuPage, "Thank you! It was a good room")).ToBeVisibleAsync();
        await Expect(ayuPage.GetByRole(AriaRole.Log, new() { Name = "Announcements" })).ToContainTextAsync($"{budi}: Thank you! It was a good room");

        await Say(ayuPage, "Shall we start one together?");
        await Expect(Message(budiPage, "Shall we start one together?")).ToBeVisibleAsync();
        await Expect(Messages(budiPage).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(3);
        await Expect(Messages(ayuPage).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(3);

        // Budi's read marker reaches ayu, and a reaction and an edit arrive live too.
        await Expect(Message(ayuPage, "Shall we start one together?")).ToContainTextAsync($"Read by {budi}");
        await Message(budiPage, "Shall we start one together?").GetByRole(AriaRole.Button, new() { Name = "React 🔥" }).ClickAsync();
        await Expect(Message(ayuPage, "Shall we start one together?").GetByRole(AriaRole.Group, new() { Name = "Reactions" })).ToContainTextAsync("🔥 1");
        await Message(budiPage, "Thank you! It was a good room").GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        var edit = budiPage.GetByLabel("Edit message", new() { Exact = true });
        await edit.FillAsync("Thank you! It was a great room");
        await edit.PressAsync("Enter");
        await Expect(Message(ayuPage, "Thank you! It was a great room")).ToContainTextAsync("edited");
        await Screenshot(ayuPage, "thread");

        await Message(budiPage, "Thank you! It was a great room").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(Messages(ayuPage).GetByRole(AriaRole.Listitem).Nth(1)).ToContainTextAsync("Message deleted");
        await Expect(Messages(ayuPage).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task a_dropped_connection_comes_back_with_every_message_sent_meanwhile_once_and_in_order()
    {
        var (ayu, budi) = (Handle("ayu"), Handle("budi"));
        var ayuPage = await SignIn(ayu);
        var budiPage = await SignIn(budi);
        await Request(ayuPage, budi, "Before the tunnel");
        await Go(budiPage, "Requests");
        await budiPage.GetByRole(AriaRole.Button, new() { Name = $"Accept request from {ayu}" }).ClickAsync();
        await Expect(Message(budiPage, "Before the tunnel")).ToBeVisibleAsync();

        await budiPage.Context.SetOfflineAsync(true);
        await Expect(budiPage.GetByRole(AriaRole.Status)).ToHaveTextAsync(new Regex("^Offline"));
        var meanwhile = Enumerable.Range(1, 3).Select(i => $"While you were away {i}").ToArray();
        foreach (var text in meanwhile) await Say(ayuPage, text);
        await budiPage.Context.SetOfflineAsync(false);

        await Expect(budiPage.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live");
        // Announced as they came from the resumed stream, not only found again by reloading the thread.
        foreach (var text in meanwhile)
            await Expect(budiPage.GetByRole(AriaRole.Log, new() { Name = "Announcements" })).ToContainTextAsync($"{ayu}: {text}");
        await Say(ayuPage, "And now live again");
        await Expect(Message(budiPage, "And now live again")).ToBeVisibleAsync();
        await Expect(Messages(budiPage).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(5);
        string[] inOrder = ["Before the tunnel", .. meanwhile, "And now live again"];
        for (var i = 0; i < inOrder.Length; i++)
            await Expect(Messages(budiPage).GetByRole(AriaRole.Listitem).Nth(i)).ToContainTextAsync(inOrder[i]);
    }

    [Fact]
    public async Task a_refusal_reads_as_its_title_and_the_failing_field_never_as_json()
    {
        var page = await SignIn(Handle("ayu"));
        await page.GetByLabel("To (handles, separated by commas)", new() { Exact = true }).FillAsync(Handle("budi"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Form, new() { Name = "New conversation" }).GetByRole(AriaRole.Alert);
        await Expect(alert).ToContainTextAsync("Message:");
        await Expect(alert).Not.ToContainTextAsync("{");
        await Expect(alert).Not.ToContainTextAsync("errors");
        await Expect(page.GetByLabel("Message", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task the_keyboard_alone_signs_in_and_sends_and_every_control_has_a_name()
    {
        var context = await Fixture.Browser.NewContextAsync(new() { BaseURL = Fixture.BaseUrl });
        var page = await context.NewPageAsync();
        try
        {
            await page.GotoAsync("/app/");
            await Screenshot(page, "sign-in");
            (await UnnamedControls(page)).ShouldBeEmptyWithNames();
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByLabel("Handle", new() { Exact = true })).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync(Handle("eka"));
            await page.Keyboard.PressAsync("Enter");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox", Level = 1 })).ToBeFocusedAsync();
            (await UnnamedControls(page)).ShouldBeEmptyWithNames();

            await page.GetByLabel("To (handles, separated by commas)", new() { Exact = true }).FocusAsync();
            await page.Keyboard.TypeAsync(Handle("fina"));
            await page.Keyboard.PressAsync("Tab");
            await Expect(page.GetByLabel("Message", new() { Exact = true })).ToBeFocusedAsync();
            await page.Keyboard.TypeAsync("Typed, never clicked");
            await page.Keyboard.PressAsync("Enter");
            await Expect(Message(page, "Typed, never clicked")).ToBeVisibleAsync();
            (await UnnamedControls(page)).ShouldBeEmptyWithNames();
        }
        finally
        {
            await context.DisposeAsync();
        }
    }
}

internal static class NamedControls
{
    public static void ShouldBeEmptyWithNames(this string[] unnamed) =>
        Shouldly.ShouldBeEnumerableTestExtensions.ShouldBeEmpty(unnamed, $"controls without an accessible name: {string.Join(" | ", unnamed)}");
}
