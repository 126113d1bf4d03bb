using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Alba;
using Backchannel.Host.Http;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// A browser's way to the push stream: a single-use ticket, bound to the user who minted it and valid for seconds,
/// instead of a long-lived token in the URL; and CORS answered for the app's configured origins only.
/// </summary>
public sealed class BrowserPushSpecs(AppFixture app) : AppSpec(app)
{
    /// <summary>The origin the fixture's host allows (<c>Backchannel:Cors:Origins</c>).</summary>
    public const string AppOrigin = "https://app.backchannel.test";

    private async Task<PushTicketEndpoint.PushTicket> Ticket(string userId)
    {
        var result = await As(userId).Post("/push/tickets", status: 201);
        return (await result.ReadAsJsonAsync<PushTicketEndpoint.PushTicket>())!;
    }

    private Task<HttpResponseMessage> Open(string ticket, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/me/events?ticket={Uri.EscapeDataString(ticket)}");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return Host.Server.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task a_ticket_opens_its_users_stream_once_and_is_never_logged()
    {
        App.Logs.Clear();
        var ticket = await Ticket("budi");
        ticket.ExpiresInSeconds.ShouldBe(30);

        await using (var stream = PushStream.Wrap(await Open(ticket.Ticket)))
        {
            (await stream.NextAsync()).Kind.ShouldBe("ready");
            await As("ayu").StartConversation("for budi", ["budi"]);
            (await stream.NextAsync("conversation")).Data.GetProperty("conversationId").GetString().ShouldNotBeNull();
        }

        using var again = await Open(ticket.Ticket);
        again.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "spent");
        App.Logs.Entries.ShouldNotContain(e => e.Text.Contains(ticket.Ticket));
    }

    [Fact]
    public async Task an_expired_ticket_is_refused()
    {
        App.Clock.Set(DateTimeOffset.UtcNow);
        var ticket = await Ticket("budi");

        App.Clock.Advance(TimeSpan.FromSeconds(ticket.ExpiresInSeconds + 1));

        using var response = await Open(ticket.Ticket);
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task a_ticket_beside_another_users_token_is_refused_and_not_spent_for_nothing()
    {
        var ticket = await Ticket("budi");

        using var mixed = await Open(ticket.Ticket, App.TokenFor("ayu"));

        mixed.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var alone = await Open(ticket.Ticket);
        alone.StatusCode.ShouldBe(HttpStatusCode.OK, "the refused request did not spend it");
    }

    [Fact]
    public async Task an_unknown_ticket_is_refused_and_minting_needs_a_token()
    {
        using var unknown = await Open("not-a-ticket");
        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await new Caller(Host, token: null).Post("/push/tickets", status: 401);
    }

    [Fact]
    public async Task a_ticket_opens_only_the_stream()
    {
        var ticket = await Ticket("budi");

        await Host.Scenario(s =>
        {
            s.Get.Url($"/inbox?ticket={Uri.EscapeDataString(ticket.Ticket)}");
            s.StatusCodeShouldBe(401);
        });
    }

    private Task<IScenarioResult> Preflight(string origin, string method = "POST", string headers = "authorization,content-type") =>
        Host.Scenario(s =>
        {
            s.ConfigureHttpContext(http =>
            {
                http.Request.Method = "OPTIONS";
                http.Request.Path = "/conversations";
                http.Request.Headers.Origin = origin;
                http.Request.Headers.AccessControlRequestMethod = method;
                http.Request.Headers.AccessControlRequestHeaders = headers;
            });
            s.IgnoreStatusCode();
        });

    [Fact]
    public async Task a_preflight_from_the_apps_origin_is_answered_with_what_the_api_needs()
    {
        var answer = (await Preflight(AppOrigin)).Context.Response;

        answer.StatusCode.ShouldBe(204);
        answer.Headers.AccessControlAllowOrigin.ToString().ShouldBe(AppOrigin);
        answer.Headers.AccessControlAllowMethods.ToString().ShouldContain("POST");
        answer.Headers.AccessControlAllowHeaders.ToString().ToLowerInvariant().ShouldContain("authorization");
    }

    [Fact]
    public async Task a_preflight_from_another_origin_gets_no_cors_headers_so_the_browser_refuses()
    {
        var answer = (await Preflight("https://evil.example.test")).Context.Response;

        answer.Headers.AccessControlAllowOrigin.Count.ShouldBe(0);
        answer.Headers.AccessControlAllowMethods.Count.ShouldBe(0);
    }

    [Fact]
    public async Task a_cross_origin_request_from_the_app_may_read_the_answer_and_its_location()
    {
        var result = await Host.Scenario(s =>
        {
            s.Post.Json(new { to = new[] { "budi" }, text = "hello" }).ToUrl("/conversations");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor("ayu")}");
            s.WithRequestHeader("Origin", AppOrigin);
            s.StatusCodeShouldBe(201);
        });

        result.Context.Response.Headers.AccessControlAllowOrigin.ToString().ShouldBe(AppOrigin);
        result.Context.Response.Headers.AccessControlExposeHeaders.ToString().ShouldContain("Location");
    }
}
