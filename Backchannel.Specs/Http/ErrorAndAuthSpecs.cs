using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.IdentityModel.Tokens;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>Refusals are ProblemDetails with the right status, and a refused command appends nothing.</summary>
public sealed class ErrorAndAuthSpecs(AppFixture app) : AppSpec(app)
{
    private async Task<long> EventCount()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    private static string Token(string key, string? subject = "ayu", string audience = "backchannel", DateTime? expires = null)
    {
        var claims = subject is null ? Array.Empty<Claim>() : [new Claim("sub", subject)];
        var now = DateTime.UtcNow;
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256);
        return new JwtSecurityTokenHandler().WriteToken(
            new JwtSecurityToken("backchannel", audience, claims, now.AddMinutes(-10), expires ?? now.AddHours(1), credentials));
    }

    [Fact]
    public async Task without_a_valid_token_every_route_is_401()
    {
        await new Caller(Host, token: null).Get("/inbox", 401);
        await new Caller(Host, Token("another-key-of-at-least-thirty-two-bytes!")).Get("/inbox", 401);
        await new Caller(Host, Token(AppFixture.SigningKey, audience: "someone-else")).Get("/inbox", 401);
        await new Caller(Host, Token(AppFixture.SigningKey, expires: DateTime.UtcNow.AddMinutes(-5))).Get("/inbox", 401);
        await new Caller(Host, "not.a.jwt").Post("/conversations", new { to = new[] { "budi" }, text = "hi" }, 401);
        (await EventCount()).ShouldBe(0);
    }

    [Fact]
    public async Task a_token_signed_with_the_configured_key_is_accepted() =>
        await new Caller(Host, Token(AppFixture.SigningKey)).Get("/inbox");

    [Fact]
    public async Task invalid_input_is_a_400_naming_each_field_and_appends_nothing()
    {
        var problem = await As("ayu").Refused(c => c.Post("/conversations", new { to = new[] { "Not A Handle" }, text = "" }, 400));

        var errors = problem.Extensions["errors"]!.ToString()!;
        errors.ShouldContain("\"to[0]\"");
        errors.ShouldContain("\"text\"");
        (await EventCount()).ShouldBe(0);
    }

    [Fact]
    public async Task a_body_of_the_wrong_shape_is_a_400_and_appends_nothing()
    {
        var problem = await As("ayu").Refused(c => c.Post("/conversations", new { to = "budi", text = 5 }, 400));
        problem.Extensions["errors"]!.ToString()!.ShouldContain("\"to\"");
        await As("ayu").Put("/me/policy", new { policy = "nobody" }, 400);
        var missing = await As("ayu").Refused(c => c.Post("/conversations", new { text = "to nobody" }, 400));
        missing.Extensions["errors"]!.ToString()!.ShouldContain("\"to\"");
        await As("ayu").Post("/conversations/x/messages", new { text = new string('x', 4_001) }, 400);
        (await EventCount()).ShouldBe(0);
    }

    [Fact]
    public async Task a_refusal_by_a_rule_appends_nothing()
    {
        var id = await As("ayu").StartConversation("budi");
        var before = await EventCount();

        await As("cici").Post($"/conversations/{id}/messages", new { text = "let me in" }, 404);
        await As("budi").Put($"/conversations/{id}/messages/{id}.1", new { text = "mine" }, 403);
        await As("budi").Post($"/conversations/{id}/leave", status: 403);

        (await EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task development_mints_tokens_that_work_and_refuses_a_bad_handle()
    {
        var anonymous = new Caller(Host, token: null);
        var minted = await (await anonymous.Post("/dev/tokens", new { userId = "budi" }, 200)).ReadAsJsonAsync<Host.Http.DevEndpoints.TokenResponse>();
        await new Caller(Host, minted!.Token).Get("/inbox");
        await anonymous.Post("/dev/tokens", new { userId = "B U D I" }, 400);
    }

    [Fact]
    public async Task the_health_endpoint_reports_the_database_and_the_audits_progress()
    {
        await As("ayu").StartConversation("budi");
        await AsyncViewsCaughtUp();

        var health = await (await new Caller(Host, token: null).Get("/health")).ReadAsJsonAsync<Host.Http.HealthEndpoint.Health>();
        health!.Status.ShouldBe("healthy");
        health.HighWaterMark.ShouldBeGreaterThan(0);
        health.Projections.ShouldContain(p => p.Name.StartsWith("RequestAudit") && p.Behind == 0);
    }
}
