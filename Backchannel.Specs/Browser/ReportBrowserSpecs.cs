using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Backchannel.Specs.Browser;

/// <summary>
/// The operators' pages: the report queue, where a case shows what was reported and by whom and is decided with a
/// reason, and the request audit with a filter.
/// </summary>
public sealed class ReportBrowserSpecs(BrowserFixture browser) : BrowserSpec(browser)
{
    [Fact]
    public async Task an_operator_dismisses_a_reported_message_with_a_reason_and_removes_another_for_everyone()
    {
        var (ayu, budi) = (Handle("ayu"), Handle("budi"));
        var ayuPage = await SignIn(ayu);
        var budiPage = await SignIn(budi);
        await Request(ayuPage, budi, "Buy followers cheap");
        await Go(budiPage, "Requests");
        await budiPage.GetByRole(AriaRole.Button, new() { Name = $"Accept request from {ayu}" }).ClickAsync();
        await Message(budiPage, "Buy followers cheap").GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        await Expect(budiPage.GetByRole(AriaRole.Log, new() { Name = "Announcements" })).ToContainTextAsync($"Message from {ayu} reported");

        var ops = Handle("ops");
        var operatorPage = await SignIn(ops, asOperator: true);
        await Go(operatorPage, "Reports");
        await Expect(operatorPage.GetByRole(AriaRole.Heading, new() { Name = "Reports", Level = 1 })).ToBeVisibleAsync();
        var report = Case(operatorPage, ayu);
        await Expect(report.GetByRole(AriaRole.List, new() { Name = "Reported messages" })).ToContainTextAsync("Buy followers cheap");
        await Expect(report.GetByRole(AriaRole.List, new() { Name = "Filed reports" })).ToContainTextAsync($"Report by {budi}");
        await Screenshot(operatorPage, "reports");

        // A decision needs the operator's reason: the refusal names the field and decides nothing.
        await report.GetByRole(AriaRole.Button, new() { Name = $"Dismiss report about {ayu}" }).ClickAsync();
        await Expect(operatorPage.GetByRole(AriaRole.Alert).Filter(new() { HasTextRegex = new Regex("reason", RegexOptions.IgnoreCase) })).ToBeVisibleAsync();
        await Expect(report).ToHaveCountAsync(1);

        await report.GetByLabel("Reason for the decision").FillAsync("a sales pitch, not harassment");
        await report.GetByRole(AriaRole.Button, new() { Name = $"Dismiss report about {ayu}" }).ClickAsync();
        await Expect(report).ToHaveCountAsync(0);
        await operatorPage.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Resolved" });
        await Expect(Case(operatorPage, ayu).GetByRole(AriaRole.List, new() { Name = "Decisions" }))
            .ToContainTextAsync($"Dismissed by {ops}: a sales pitch, not harassment");
        // Dismissed, not removed: the message still reads as it was.
        await budiPage.ReloadAsync();
        await Expect(Message(budiPage, "Buy followers cheap")).Not.ToContainTextAsync("Message deleted");

        await Say(ayuPage, "You will regret ignoring me");
        await Message(budiPage, "You will regret ignoring me").GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        // Budi's page was reloaded since the first report, so this announcement is the second report's.
        await Expect(budiPage.GetByRole(AriaRole.Log, new() { Name = "Announcements" })).ToContainTextAsync($"Message from {ayu} reported");
        await operatorPage.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Open" });
        var threat = Case(operatorPage, ayu);
        await threat.GetByLabel("Reason for the decision").FillAsync("a threat");
        await threat.GetByRole(AriaRole.Button, new() { Name = $"Remove the message reported about {ayu}" }).ClickAsync();
        await Expect(threat).ToHaveCountAsync(0);
        await budiPage.ReloadAsync();
        await Expect(budiPage.GetByText("You will regret ignoring me")).ToHaveCountAsync(0);
    }

    private static ILocator Case(IPage page, string reportedUser) =>
        page.GetByRole(AriaRole.List, new() { Name = "Reports", Exact = true }).First.Locator(":scope > li")
            .Filter(new() { Has = page.GetByText($"from {reportedUser}") });

    [Fact]
    public async Task an_operator_filters_the_request_audit_by_user()
    {
        var (ayu, budi, cici) = (Handle("ayu"), Handle("budi"), Handle("cici"));
        var ayuPage = await SignIn(ayu);
        await Request(ayuPage, budi, "Audited hello");
        var ciciPage = await SignIn(cici);
        await Request(ciciPage, Handle("dodi"), "Another hello");

        var operatorPage = await SignIn(Handle("ops"), asOperator: true);
        await Go(operatorPage, "Audit");
        var form = operatorPage.GetByRole(AriaRole.Form, new() { Name = "Request audit" });
        await form.GetByLabel("User", new() { Exact = true }).FillAsync(ayu);
        await form.GetByRole(AriaRole.Button, new() { Name = "Search requests" }).ClickAsync();

        var table = operatorPage.GetByRole(AriaRole.Table, new() { Name = "Request audit" });
        await Expect(table.GetByRole(AriaRole.Row).Filter(new() { HasText = budi })).ToContainTextAsync("sent");
        await Expect(table.GetByRole(AriaRole.Row).Filter(new() { HasText = cici })).ToHaveCountAsync(0);
        await Expect(operatorPage.GetByRole(AriaRole.Heading, new() { Name = "Room audit" })).ToBeVisibleAsync();
        await Screenshot(operatorPage, "audit");
    }
}
