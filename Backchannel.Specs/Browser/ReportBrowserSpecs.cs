using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Shouldly;
using static Microsoft.Playwright.Assertions;

namespace Backchannel.Specs.Browser;

/// <summary>
/// The operators' pages: the request audit with a filter, and the report queue. The queue's page checks for the
/// route: on a host without <c>GET /reports</c> (404) it says the queue is not available; with it, the operator
/// dismisses the report. Both are asserted, each against what the host under test serves.
/// </summary>
public sealed class ReportBrowserSpecs(BrowserFixture browser) : BrowserSpec(browser)
{
    [Fact]
    public async Task an_operator_dismisses_a_reported_message_from_the_report_queue()
    {
        var (ayu, budi) = (Handle("ayu"), Handle("budi"));
        var ayuPage = await SignIn(ayu);
        var budiPage = await SignIn(budi);
        await Request(ayuPage, budi, "Buy followers cheap");
        await Go(budiPage, "Requests");
        await budiPage.GetByRole(AriaRole.Button, new() { Name = $"Accept request from {ayu}" }).ClickAsync();
        await Message(budiPage, "Buy followers cheap").GetByRole(AriaRole.Button, new() { Name = "Report" }).ClickAsync();
        await Expect(budiPage.GetByRole(AriaRole.Log, new() { Name = "Announcements" })).ToContainTextAsync($"Message from {ayu} reported");

        var operatorPage = await SignIn(Handle("ops"), asOperator: true);
        await Go(operatorPage, "Reports");
        await Expect(operatorPage.GetByRole(AriaRole.Heading, new() { Name = "Reports", Level = 1 })).ToBeVisibleAsync();

        if (await ReportQueueStatus(operatorPage) == HttpStatusCode.NotFound)
        {
            // The queue's route has not landed in this host: the page says so and offers no action on nothing.
            await Expect(operatorPage.GetByText("Reports are not available on this server yet.")).ToBeVisibleAsync();
            await Expect(operatorPage.GetByRole(AriaRole.Button, new() { Name = "Dismiss report" })).ToHaveCountAsync(0);
            return;
        }

        var report = operatorPage.GetByRole(AriaRole.List, new() { Name = "Reports" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Buy followers cheap" });
        await Expect(report).ToBeVisibleAsync();
        await Expect(report).ToContainTextAsync($"Report by {budi}");
        await Screenshot(operatorPage, "reports");
        await report.GetByRole(AriaRole.Button, new() { Name = $"Dismiss report by {budi}" }).ClickAsync();
        await Expect(report).ToHaveCountAsync(0);
        await operatorPage.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Resolved" });
        await Expect(operatorPage.GetByRole(AriaRole.List, new() { Name = "Reports" }).GetByRole(AriaRole.Listitem).Filter(new() { HasText = "Buy followers cheap" })).ToContainTextAsync("Resolved");
        // Dismissed, not removed: the message still reads as it was.
        await budiPage.ReloadAsync();
        await Expect(Message(budiPage, "Buy followers cheap")).Not.ToContainTextAsync("Message deleted");
    }

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

    /// <summary>What the host under test answers an operator for the report queue, read outside the page.</summary>
    private async Task<HttpStatusCode> ReportQueueStatus(IPage operatorPage)
    {
        using var http = new HttpClient { BaseAddress = new Uri(Fixture.BaseUrl) };
        var token = await operatorPage.EvaluateAsync<string>("() => sessionStorage.getItem('backchannel.token')");
        token.ShouldNotBeNullOrEmpty();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var answer = await http.GetAsync("/reports?status=open");
        return answer.StatusCode;
    }
}
