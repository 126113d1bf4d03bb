using System.Text;
using Alba;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.AspNetCore.Routing;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>
/// Thousands of malformed, hostile or absurd requests to every write route the app maps (found at run time, so a new
/// route is fuzzed without anyone adding it): never a 5xx, every refusal is ProblemDetails, and a refused request
/// leaves no event behind (a 429 leaves only its recorded suppression). Seeded, so a failure replays exactly.
/// </summary>
public sealed class FuzzSpecs(AppFixture app) : AppSpec(app)
{
    private const int Seed = 20261124;
    private const int BodiesPerRoute = 40;

    private static readonly string[] HostileStrings =
    [
        "'; drop table mt_events; --", "<script>alert(1)</script>", "\u202Eevil\u202C", "🔥🔥🔥", "\0", "\uD800", "null", "../../etc/passwd",
        "%00", "${jndi:ldap://x}", new string('a', 5_000), " ", "",
    ];

    private static readonly Func<Random, (string Body, string ContentType)>[] Bodies =
    [
        _ => ("", "application/json"),
        _ => ("{", "application/json"),
        _ => ("{\"text\":", "application/json"),
        _ => ("null", "application/json"),
        _ => ("[]", "application/json"),
        _ => ("42", "application/json"),
        _ => ("\"just a string\"", "application/json"),
        _ => ("{}", "application/json"),
        _ => ("{\"text\":42,\"to\":\"budi\",\"anonymous\":\"yes\",\"title\":[],\"userId\":{}}", "application/json"),
        _ => ("{\"text\":null,\"to\":null,\"title\":null,\"userId\":null,\"emoji\":null,\"upToMessageId\":null,\"startsAt\":null}", "application/json"),
        _ => ($"{{\"text\":\"{new string('x', 1_000_000)}\"}}", "application/json"),
        _ => (new string('[', 10_000) + new string(']', 10_000), "application/json"),
        _ => ("{\"text\":\"hi\",\"unknown\":{\"deep\":[1,2,{\"x\":null}]},\"__proto__\":{}}", "application/json"),
        _ => ("{\"text\":\"hi\"}", "text/plain"),
        _ => ("<xml/>", "application/xml"),
        _ => ("{\"visibility\":\"loud\",\"policy\":\"nobody\",\"text\":\"hi\"}", "application/json"),
        _ => ("{\"startsAt\":\"yesterday\",\"title\":\"x\"}", "application/json"),
        _ => ("{\"to\":[\"budi\",\"budi\",\"AYU\"],\"text\":\"hi\"}", "application/json"),
        r => (Json(r), "application/json"),
        r => (Json(r), "application/json"),
        r => (Json(r), "application/json"),
        r => (Json(r), "application/json"),
    ];

    /// <summary>An object whose every known field holds a random hostile value of a random type.</summary>
    private static string Json(Random random)
    {
        string Value() => random.Next(5) switch
        {
            0 => System.Text.Json.JsonSerializer.Serialize(HostileStrings[random.Next(HostileStrings.Length)]),
            1 => random.Next().ToString(),
            2 => "null",
            3 => "[" + System.Text.Json.JsonSerializer.Serialize(HostileStrings[random.Next(HostileStrings.Length)]) + "]",
            _ => "true",
        };
        string[] fields = ["text", "to", "roomId", "eventId", "replyTo", "title", "userId", "userIds", "questionId", "anonymous", "visibility",
            "emoji", "upToMessageId", "reason", "policy", "startsAt", "coHosts"];
        return "{" + string.Join(",", fields.Where(_ => random.Next(2) == 0).Select(f => $"\"{f}\":{Value()}")) + "}";
    }

    [Fact]
    public async Task no_input_to_any_write_route_is_a_5xx_and_a_refused_one_appends_nothing()
    {
        var world = await ArrangeAsync();
        var routes = Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(method => (Method: method, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => r.Method is "POST" or "PUT" or "DELETE" && !r.Pattern.StartsWith("/dev/"))
            .Distinct().ToList();
        routes.Count.ShouldBeGreaterThan(40, "every write route is found");

        var random = new Random(Seed);
        var sent = 0;
        foreach (var (method, pattern) in routes)
        {
            for (var i = 0; i < BodiesPerRoute; i++)
            {
                var url = Fill(pattern, world, random);
                var (body, contentType) = Bodies[random.Next(Bodies.Length)](random);
                var caller = random.Next(3) switch { 0 => "ayu", 1 => "budi", _ => $"fuzz{random.Next(1_000)}" };
                var before = await LastSequenceAsync();

                var result = await Host.Scenario(s =>
                {
                    s.ConfigureHttpContext(http =>
                    {
                        http.Request.Method = method;
                        http.Request.Path = url.Split('?')[0];
                        http.Request.ContentType = contentType;
                        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
                        http.Request.ContentLength = http.Request.Body.Length;
                        http.Request.Headers.Authorization = $"Bearer {App.TokenFor(caller)}";
                    });
                    s.IgnoreStatusCode();
                });
                sent++;

                var status = result.Context.Response.StatusCode;
                var what = $"{method} {url} as {caller} with {Describe(body)} ({contentType})";
                status.ShouldBeLessThan(500, what);
                if (status < 400) continue;
                result.Context.Response.ContentType.ShouldNotBeNull(what).ShouldStartWith("application/problem+json", customMessage: what);
                if (status == 400) await ShouldBeOneShape(result, what);
                var appended = await EventsAfterAsync(before);
                if (status == 429) appended.ShouldAllBe(name => name.EndsWith("_suppressed_by_rate_limit"), what);
                else if (status != 403 || !appended.All(name => name == "request_suppressed_by_policy")) appended.ShouldBeEmpty(what);
            }
        }
        sent.ShouldBeGreaterThan(1_500);
    }

    /// <summary>
    /// Hostile query strings and path ids on every read route the app maps (found at run time): never a 5xx, every
    /// refusal ProblemDetails, every 400 of the one shape. The NUL and the line break are among them (issue 10 #14).
    /// </summary>
    [Fact]
    public async Task no_query_string_or_path_id_on_any_read_route_is_a_5xx()
    {
        var world = await ArrangeAsync();
        var routes = Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") == true)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            // The push stream streams until the client leaves (its parameter is fuzzed in InputBoundarySpecs); the
            // OpenAPI document is the framework's.
            .Where(p => !p.StartsWith("/dev/") && !p.StartsWith("/openapi/") && p != "/me/events")
            .Distinct().ToList();
        routes.Count.ShouldBeGreaterThan(8, "every read route is found");
        string[] parameters = ["userId", "roomId", "eventId", "from", "to", "before", "limit", "asOfVersion", "asOf", "lastEventId", "id", "reason"];
        string[] hostile = [.. HostileStrings, "\n", "ayu\n", "ayu\r\n", "2026-01-01T10:00:00", "2026-01-01T10:00:00+01:00", "-1", "0",
            "99999999999999999999", "1e3", "NaN", "true"];
        string[] inPath = [.. hostile.Where(h => h.Length > 0 && !h.Contains('\0') && !h.Contains("%00"))];

        var random = new Random(Seed);
        var sent = 0;
        foreach (var pattern in routes)
        {
            for (var i = 0; i < BodiesPerRoute; i++)
            {
                var path = Fill(pattern, world, random).Replace("{**", "{").Split('?')[0];
                // A NUL in a path never reaches the app (see Fill); every other hostile value does.
                string PathJunk() => Uri.EscapeDataString(inPath[random.Next(inPath.Length)]);
                if (random.Next(3) == 0) path = path.Replace(world.Conversation, PathJunk()).Replace(world.Room, PathJunk()).Replace(world.Event, PathJunk());
                var query = string.Join("&", parameters.Where(_ => random.Next(3) == 0)
                    .Select(p => $"{p}={Uri.EscapeDataString(hostile[random.Next(hostile.Length)])}"));
                var url = query.Length == 0 ? path : $"{path}?{query}";
                var caller = random.Next(3) switch { 0 => "ayu", 1 => "budi", _ => $"fuzz{random.Next(1_000)}" };
                var token = App.TokenFor(caller, isOperator: random.Next(2) == 0);
                var result = await Host.Scenario(s =>
                {
                    s.Get.Url(url);
                    s.WithRequestHeader("Authorization", $"Bearer {token}");
                    s.IgnoreStatusCode();
                });
                sent++;
                var status = result.Context.Response.StatusCode;
                var what = $"GET {Describe(url)} as {caller}";
                status.ShouldBeLessThan(500, what);
                if (status < 400) continue;
                result.Context.Response.ContentType.ShouldNotBeNull(what).ShouldStartWith("application/problem+json", customMessage: what);
                if (status == 400) await ShouldBeOneShape(result, what);
            }
        }
        sent.ShouldBeGreaterThan(300);
    }

    /// <summary>A 400 is always invalid_input with a non-empty errors map, and never names a CLR type or the parser.</summary>
    private static async Task ShouldBeOneShape(IScenarioResult result, string what)
    {
        var text = await result.ReadAsTextAsync();
        var problem = System.Text.Json.JsonDocument.Parse(text).RootElement;
        problem.GetProperty("type").GetString().ShouldBe(Backchannel.Host.Http.ProblemMapping.InvalidInputType, what);
        problem.TryGetProperty("errors", out var errors).ShouldBeTrue($"{what}: {text}");
        errors.EnumerateObject().Count().ShouldBeGreaterThan(0, what);
        foreach (var leak in (string[])["Backchannel.", "System.", "Path:", "LineNumber"]) text.ShouldNotContain(leak, Case.Sensitive, $"{what}: {text}");
    }

    private sealed record World(string Conversation, string Message, string Room, string Question, string Event);

    private async Task<World> ArrangeAsync()
    {
        await As("budi").Follow("ayu");
        var conversation = await As("ayu").StartConversation("hello budi", ["budi"]);
        var room = await As("ayu").StartRoom("Fuzz room");
        await As("budi").Join(room.RoomId);
        var question = await As("budi").Ask(room.RoomId);
        var planned = await As("ayu").ScheduleEvent("Fuzz event", DateTimeOffset.UtcNow.AddDays(3), "budi");
        return new World(conversation.ConversationId, conversation.MessageId, room.RoomId, question, planned.EventId);
    }

    private static string Fill(string pattern, World world, Random random)
    {
        // A NUL in a path never reaches the app (the server refuses it first), so paths get every other hostile value.
        string[] pathJunk = [.. HostileStrings.Where(s => s.Length > 0 && !s.Contains('\0') && !s.Contains("%00"))];
        string Junk() => Uri.EscapeDataString(pathJunk[random.Next(pathJunk.Length)]);
        string Pick(string real) => random.Next(3) == 0 ? Junk() : real;
        var id = pattern.StartsWith("/rooms") ? world.Room : pattern.StartsWith("/events") ? world.Event : world.Conversation;
        return pattern
            .Replace("{id}", Pick(id)).Replace("{messageId}", Pick(world.Message)).Replace("{questionId}", Pick(world.Question))
            .Replace("{userId}", Pick("budi")).Replace("{emoji}", Pick(Uri.EscapeDataString("🔥")));
    }

    private static string Describe(string body) => body.Length <= 80 ? body : $"{body[..60]}… ({body.Length} chars)";

    private async Task<long> LastSequenceAsync()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Select(e => e.Sequence).FirstOrDefaultAsync();
    }

    private async Task<IReadOnlyList<string>> EventsAfterAsync(long sequence)
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().Where(e => e.Sequence > sequence).Select(e => e.EventTypeName).ToListAsync();
    }
}
