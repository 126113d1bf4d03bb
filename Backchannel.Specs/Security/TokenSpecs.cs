using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Alba;
using Backchannel.Specs.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.Tokens;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>Every way a bearer token can be wrong is a 401, and nothing happens; development's token minting is absent elsewhere.</summary>
public sealed class TokenSpecs(AppFixture app) : AppSpec(app)
{
    private const string OtherKey = "another-signing-key-of-at-least-thirty-two-bytes";

    private static string Mint(string key = AppFixture.SigningKey, string? subject = "ayu", string issuer = "backchannel",
        string audience = "backchannel", DateTime? expires = null)
    {
        var now = DateTime.UtcNow;
        var claims = subject is null ? [] : new[] { new Claim("sub", subject) };
        return new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(issuer, audience, claims, now.AddMinutes(-10), expires ?? now.AddHours(1),
            new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256)));
    }

    /// <summary>An unsigned token (<c>alg: none</c>) claiming to be ayu.</summary>
    private static string Unsigned()
    {
        static string Part(string json) => Base64UrlEncoder.Encode(json);
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Part("""{"alg":"none","typ":"JWT"}""")}.{Part($$"""{"sub":"ayu","iss":"backchannel","aud":"backchannel","exp":{{exp}}}""")}.";
    }

    public static TheoryData<string, string> BadTokens => new()
    {
        { "expired", Mint(expires: DateTime.UtcNow.AddMinutes(-5)) },
        { "signed with another key", Mint(key: OtherKey) },
        { "for another audience", Mint(audience: "someone-else") },
        { "from another issuer", Mint(issuer: "someone-else") },
        { "without a subject", Mint(subject: null) },
        { "whose subject is not a handle", Mint(subject: "Not A Handle!") },
        { "unsigned (alg: none)", Unsigned() },
        { "not a JWT at all", "not.a.jwt" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task a_bad_token_is_401_to_reads_and_writes_and_appends_nothing(string why, string token)
    {
        await new Caller(Host, token).Get("/inbox", 401);
        await new Caller(Host, token).Post("/conversations", new { to = new[] { "budi" }, text = "hi" }, 401);
        await new Caller(Host, token).Post("/rooms", new { title = "mine" }, 401);

        await using var session = Store.QuerySession();
        (await session.Events.QueryAllRawEvents().CountAsync()).ShouldBe(0, why);
    }

    [Fact]
    public async Task outside_development_there_is_no_token_minting()
    {
        await using var production = await AlbaHost.For<Program>(builder => builder
            .UseEnvironment("Production")
            .UseSetting("Backchannel:Daemon", "Off")
            .UseSetting("Backchannel:Auth:SigningKey", AppFixture.SigningKey)
            .UseSetting("ConnectionStrings:Backchannel", AppFixture.ConnectionString));

        await production.Scenario(s =>
        {
            s.Post.Json(new { userId = "ayu" }).ToUrl("/dev/tokens");
            s.StatusCodeShouldBe(404);
        });
        await production.Scenario(s =>
        {
            s.Get.Url("/inbox");
            s.StatusCodeShouldBe(401);
        });
        await production.Scenario(s =>
        {
            s.Get.Url("/inbox");
            s.WithRequestHeader("Authorization", $"Bearer {Mint()}");
            s.StatusCodeShouldBe(200);
        });
    }
}
