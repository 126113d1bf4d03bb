using System.Globalization;
using System.Text;
using System.Text.Json;
using Alba;
using Backchannel.Host.Http;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Logging;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// What the HTTP boundary lets in (issue 10): times in UTC whatever offset they come with, handles and ids that are
/// exactly that, visible text, real emoji, bounded bodies, checked query values, and one shape for every 400.
/// </summary>
public sealed class InputBoundarySpecs(AppFixture app) : AppSpec(app)
{
    private async Task<long> EventCount()
    {
        await using var session = Store.QuerySession();
        return await session.Events.QueryAllRawEvents().CountAsync();
    }

    private static string Query(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture));

    /// <summary>Sends a raw body (any bytes, any length) with or without a Content-Length.</summary>
    private Task<IScenarioResult> Raw(string method, string url, string body, string caller = "ayu", bool withLength = true) =>
        Host.Scenario(s =>
        {
            s.ConfigureHttpContext(http =>
            {
                http.Request.Method = method;
                http.Request.Path = url.Split('?')[0];
                if (url.Contains('?')) http.Request.QueryString = new Microsoft.AspNetCore.Http.QueryString(url[url.IndexOf('?')..]);
                http.Request.ContentType = "application/json";
                http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
                http.Request.ContentLength = withLength ? http.Request.Body.Length : null;
                http.Request.Headers.Authorization = $"Bearer {App.TokenFor(caller)}";
            });
            s.IgnoreStatusCode();
        });

    private static async Task<JsonElement> ProblemOf(IScenarioResult result, int status)
    {
        result.Context.Response.StatusCode.ShouldBe(status, await result.ReadAsTextAsync());
        result.Context.Response.ContentType.ShouldNotBeNull().ShouldStartWith("application/problem+json");
        return JsonDocument.Parse(await result.ReadAsTextAsync()).RootElement.Clone();
    }

    /// <summary>A 400 of the one shape: type invalid_input, an errors map naming <paramref name="field"/>, no internals.</summary>
    private static async Task ShouldBeInvalid(IScenarioResult result, string field)
    {
        var text = await result.ReadAsTextAsync();
        var problem = await ProblemOf(result, 400);
        problem.GetProperty("type").GetString().ShouldBe(ProblemMapping.InvalidInputType, text);
        problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldContain(field, text);
        foreach (var leak in (string[])["Backchannel.", "System.", "Path:", "LineNumber", "BytePosition", "IReadOnlyList"])
            text.ShouldNotContain(leak, Case.Sensitive, text);
    }

    private async Task<string> ConversationOfAyuAndBudi()
    {
        await As("budi").Follow("ayu");
        return await As("ayu").StartConversation("budi");
    }

    // Issue 10 #6, the class: every time a route takes, in a body or a query, is one the specs below send with an offset.
    [Fact]
    public void every_time_the_api_takes_is_covered_by_the_offset_specs()
    {
        var descriptions = Host.Services.GetRequiredService<IApiDescriptionGroupCollectionProvider>().ApiDescriptionGroups.Items.SelectMany(g => g.Items);
        static bool IsTime(Type type) => (Nullable.GetUnderlyingType(type) ?? type) == typeof(DateTimeOffset);
        var inputs = descriptions.SelectMany(d => d.ParameterDescriptions.SelectMany(p =>
                p.Source == BindingSource.Body
                    ? p.Type.GetProperties().Where(q => IsTime(q.PropertyType)).Select(q => FieldNames.CamelCase(q.Name))
                    : IsTime(p.Type) ? [p.Name] : [])
            .Select(field => $"{d.HttpMethod} /{d.RelativePath} {field}"))
            .Distinct().Order().ToList();
        inputs.ShouldBe(
        [
            "GET /audit/moderation from", "GET /audit/moderation to",
            "GET /audit/requests from", "GET /audit/requests to", "GET /audit/rooms from", "GET /audit/rooms to",
            "GET /conversations/{id} asOf", "POST /events startsAt", "POST /events/{id}/reschedule startsAt",
            "PUT /users/{userId}/suspension until",
        ]);
    }

    [Fact]
    public async Task an_event_scheduled_and_rescheduled_with_an_offset_starts_at_that_instant()
    {
        var paris = new DateTimeOffset(DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(10).AddHours(19), DateTimeKind.Unspecified), TimeSpan.FromHours(1));
        var created = await (await As("ayu").Post("/events", new { title = "Offsets", startsAt = paris.ToString("o"), coHosts = Array.Empty<string>() }, 201))
            .ReadAsJsonAsync<EventCreated>();
        (await As("ayu").Get<Backchannel.Projections.Planning.UpcomingEvent>($"/events/{created!.EventId}")).StartsAt.ShouldBe(paris);

        var mumbai = paris.AddHours(2).ToOffset(TimeSpan.FromHours(5.5));
        await As("ayu").Post($"/events/{created.EventId}/reschedule", new { startsAt = mumbai.ToString("o") });
        var moved = await As("ayu").Get<Backchannel.Projections.Planning.UpcomingEvent>($"/events/{created.EventId}");
        moved.StartsAt.ShouldBe(mumbai);
        moved.StartsAt.Offset.ShouldBe(TimeSpan.Zero);
        (await As("ayu").Items<Backchannel.Projections.Planning.UpcomingEvent>("/events/upcoming")).ShouldContain(e => e.EventId == created.EventId);
    }

    [Theory]
    [InlineData("2027-01-01T10:00:00")]
    [InlineData("2027-01-01 10:00:00Z")]
    [InlineData("2027-01-01")]
    [InlineData("01/01/2027 10:00 +01:00")]
    [InlineData("2027-01-01T10:00:00+0100")]
    public async Task a_time_without_its_offset_is_a_400_naming_the_field_wherever_it_is_given(string time)
    {
        var planned = await As("ayu").ScheduleEvent("Zones", DateTimeOffset.UtcNow.AddDays(3));
        var id = await ConversationOfAyuAndBudi();
        var before = await EventCount();

        await ShouldBeInvalid(await Raw("POST", "/events", JsonSerializer.Serialize(new { title = "No zone", startsAt = time })), "startsAt");
        await ShouldBeInvalid(await Raw("POST", $"/events/{planned.EventId}/reschedule", JsonSerializer.Serialize(new { startsAt = time })), "startsAt");
        var q = Uri.EscapeDataString(time);
        await ShouldBeInvalid(await As("ayu").Get($"/audit/requests?from={q}", 400), "from");
        await ShouldBeInvalid(await As("ayu").Get($"/audit/requests?to={q}", 400), "to");
        await ShouldBeInvalid(await As("op", isOperator: true).Get($"/audit/rooms?from={q}", 400), "from");
        await ShouldBeInvalid(await As("op", isOperator: true).Get($"/audit/rooms?to={q}", 400), "to");
        await ShouldBeInvalid(await As("op", isOperator: true).Get($"/audit/moderation?from={q}", 400), "from");
        await ShouldBeInvalid(await As("op", isOperator: true).Get($"/audit/moderation?to={q}", 400), "to");
        await ShouldBeInvalid(await Raw("PUT", "/users/budi/suspension", JsonSerializer.Serialize(new { until = time, reason = "spam" }), caller: "op"), "until");
        await ShouldBeInvalid(await As("ayu").Get($"/conversations/{id}?asOf={q}", 400), "asOf");
        (await EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task the_audits_and_time_travel_read_a_time_with_any_offset_as_that_instant()
    {
        var id = await ConversationOfAyuAndBudi();
        var room = await As("ayu").StartRoom("Offsets room");
        await AsyncViewsCaughtUp();
        var now = DateTimeOffset.UtcNow;
        var (from, to) = (Query(now.AddHours(-1).ToOffset(TimeSpan.FromHours(1))), Query(now.AddHours(1).ToOffset(TimeSpan.FromHours(-5))));
        var (late, later) = (Query(now.AddHours(1).ToOffset(TimeSpan.FromHours(9))), Query(now.AddHours(2).ToOffset(TimeSpan.FromHours(-3))));

        (await As("ayu").Get<JsonElement>($"/audit/requests?from={from}&to={to}")).GetProperty("items").GetArrayLength().ShouldBeGreaterThan(0);
        (await As("ayu").Get<JsonElement>($"/audit/requests?from={late}&to={later}")).GetProperty("items").GetArrayLength().ShouldBe(0);
        (await As("op", isOperator: true).Get<JsonElement>($"/audit/rooms?roomId={room.RoomId}&from={from}&to={to}")).GetProperty("items").GetArrayLength().ShouldBeGreaterThan(0);
        (await As("op", isOperator: true).Get<JsonElement>($"/audit/rooms?roomId={room.RoomId}&from={late}")).GetProperty("items").GetArrayLength().ShouldBe(0);

        (await As("ayu").Get<JsonElement>($"/conversations/{id}?asOf={late}")).GetProperty("messages").GetArrayLength().ShouldBe(1);

        var until = now.AddDays(1).ToOffset(TimeSpan.FromHours(5.5));
        await As("op", isOperator: true).Put("/users/budi/suspension", new { until = until.ToString("o"), reason = "spam" });
        var suspended = await As("budi").Refused(c => c.Post($"/conversations/{id}/messages", new { text = "hi" }, 403));
        DateTimeOffset.Parse(suspended.Extensions["suspendedUntil"]!.ToString()!).ShouldBe(until);
        await AsyncViewsCaughtUp();
        (await As("op", isOperator: true).Get<JsonElement>($"/audit/moderation?from={from}&to={to}")).GetProperty("items").GetArrayLength().ShouldBe(1);
        (await As("op", isOperator: true).Get<JsonElement>($"/audit/moderation?from={late}")).GetProperty("items").GetArrayLength().ShouldBe(0);
        await As("ayu").Get($"/conversations/{id}?asOf={Query(now.AddHours(-1).ToOffset(TimeSpan.FromHours(-11)))}", 404);
    }

    // Issue 10 #11: bodies were read whole whatever their size.
    [Fact]
    public async Task the_largest_valid_body_passes_and_one_past_the_limit_is_a_413_with_or_without_a_length()
    {
        var to = Enumerable.Range(1, 14).Select(i => $"recipient_{i:D2}_".PadRight(32, 'x')).ToList();
        static string Escaped(string text) => string.Concat(text.Select(c => $"\\u{(int)c:x4}"));
        var largest = $"{{\"to\":[{string.Join(",", to.Select(t => $"\"{Escaped(t)}\""))}],\"text\":\"{Escaped(string.Concat(Enumerable.Repeat("😀", 2_000)))}\"}}";
        var size = Encoding.UTF8.GetByteCount(largest);
        size.ShouldBeLessThan((int)BodyLimit.DefaultMaxBytes / 2, "the limit leaves at least twice the largest valid body");
        // Followers are admitted at once, so two such starts stay within the requests limit, which counts strangers.
        foreach (var recipient in to) await As(recipient).Follow("ayu");
        (await Raw("POST", "/conversations", largest)).Context.Response.StatusCode.ShouldBe(201);
        (await Raw("POST", "/conversations", largest, withLength: false)).Context.Response.StatusCode.ShouldBe(201);

        var before = await EventCount();
        var tooLarge = $"{{\"to\":[\"budi\"],\"text\":\"{new string('x', (int)BodyLimit.DefaultMaxBytes)}\"}}";
        foreach (var withLength in (bool[])[true, false])
        {
            var problem = await ProblemOf(await Raw("POST", "/conversations", tooLarge, withLength: withLength), 413);
            problem.GetProperty("type").GetString().ShouldBe($"{ProblemMapping.ProblemTypes}request_too_large");
        }
        (await Raw("PUT", "/me/policy", new string(' ', (int)BodyLimit.DefaultMaxBytes + 1))).Context.Response.StatusCode.ShouldBe(413);
        (await EventCount()).ShouldBe(before);
    }

    // Issue 10 #13: "budi\n" passed for the handle budi, "m1\n" for an id, on every route.
    [Fact]
    public async Task a_trailing_newline_makes_no_look_alike_on_any_route()
    {
        var id = await ConversationOfAyuAndBudi();
        var message = await As("ayu").Say(id);
        var room = await As("ayu").StartRoom();
        var before = await EventCount();

        await new Caller(Host, App.TokenFor("ayu\n")).Get("/inbox", 401);
        await new Caller(Host, App.TokenFor("ayu\r\n")).Post("/follows/budi", status: 401);
        await ShouldBeInvalid(await As("ayu").Post("/conversations", new { to = new[] { "cici\n" }, text = "hi" }, 400), "to[0]");
        await ShouldBeInvalid(await As("ayu").Post("/blocks/cici%0A", status: 400), "userId");
        await ShouldBeInvalid(await As("ayu").Post("/follows/cici%0A", status: 400), "userId");
        await ShouldBeInvalid(await As("ayu").Post($"/conversations/{id}/messages", new { text = "hi", messageId = "m1\n" }, 400), "messageId");
        await ShouldBeInvalid(await As("ayu").Post($"/conversations/{id}/messages", new { text = "hi", replyTo = message + "\n" }, 400), "replyTo");
        await ShouldBeInvalid(await As("ayu").Put($"/conversations/{id}/messages/{message}%0A", new { text = "edited" }, 400), "messageId");
        await ShouldBeInvalid(await As("ayu").Post($"/conversations/{id}/read", new { upToMessageId = message + "\n" }, 400), "upToMessageId");
        await ShouldBeInvalid(await As("ayu").Post($"/conversations/{id}%0A/messages", new { text = "hi" }, 400), "id");
        await ShouldBeInvalid(await As("ayu").Post($"/rooms/{room.RoomId}%0A/join", status: 400), "id");
        await ShouldBeInvalid(await As("ayu").Post($"/rooms/{room.RoomId}/stage", new { userId = "budi\n" }, 400), "userId");
        await ShouldBeInvalid(await As("ayu").Get("/audit/requests?userId=ayu%0A", 400), "userId");
        await ShouldBeInvalid(await As("ayu").Get($"/conversations/{id}%0A", 400), "id");
        await ShouldBeInvalid(await As("ayu").Get($"/rooms/{room.RoomId}%0A", 400), "id");
        (await EventCount()).ShouldBe(before);
    }

    // Issue 10 #14: a NUL in a filter reached PostgreSQL, which cannot hold it: a 500.
    [Theory]
    [InlineData("/audit/requests?userId={0}", "userId", false)]
    [InlineData("/audit/requests?userId={0}", "userId", true)]
    [InlineData("/audit/rooms?roomId={0}", "roomId", true)]
    [InlineData("/audit/rooms?eventId={0}", "eventId", true)]
    [InlineData("/audit/rooms?userId={0}", "userId", true)]
    [InlineData("/conversations/{0}", "id", false)]
    [InlineData("/conversations/c1?before={0}", "before", false)]
    [InlineData("/conversations/c1?limit={0}", "limit", false)]
    [InlineData("/conversations/c1?asOfVersion={0}", "asOfVersion", false)]
    [InlineData("/conversations/c1?asOf={0}", "asOf", false)]
    [InlineData("/rooms/{0}", "id", false)]
    [InlineData("/rooms/{0}/moderation", "id", false)]
    [InlineData("/events/{0}", "id", false)]
    [InlineData("/me/events?lastEventId={0}", "lastEventId", false)]
    public async Task a_hostile_value_in_a_read_is_a_400_naming_the_parameter(string route, string parameter, bool isOperator)
    {
        // A NUL in a path never reaches the app (the server and the test client refuse it first); in a query it does.
        var inPath = route.IndexOf("{0}", StringComparison.Ordinal) < Math.Max(route.IndexOf('?'), 0) || !route.Contains('?');
        foreach (var hostile in ((string[])["%00", "a%00b", "ayu%0A", "%27%3B%20drop%20table", "%F0%9F%94%A5"]).Where(h => !inPath || !h.Contains("%00")))
            await ShouldBeInvalid(await As("ayu", isOperator).Get(string.Format(CultureInfo.InvariantCulture, route, hostile), 400), parameter);
    }

    // Issue 10 #15: text of only invisible characters was a message, a title, a question.
    [Fact]
    public async Task text_of_only_invisible_characters_is_a_400_on_every_route_that_takes_text()
    {
        var id = await ConversationOfAyuAndBudi();
        var room = await As("ayu").StartRoom();
        var before = await EventCount();
        const string invisible = "\u200B\u3164\u2800\uFEFF\u2060\u115F";
        await ShouldBeInvalid(await As("ayu").Post("/conversations", new { to = new[] { "cici" }, text = invisible }, 400), "text");
        await ShouldBeInvalid(await As("ayu").Post($"/conversations/{id}/messages", new { text = invisible }, 400), "text");
        await ShouldBeInvalid(await As("ayu").Post("/rooms", new { title = invisible }, 400), "title");
        await ShouldBeInvalid(await As("ayu").Post($"/rooms/{room.RoomId}/questions", new { text = invisible, anonymous = false }, 400), "text");
        await ShouldBeInvalid(await As("ayu").Post("/events", new { title = invisible, startsAt = DateTimeOffset.UtcNow.AddDays(1) }, 400), "title");
        (await EventCount()).ShouldBe(before);
    }

    [Fact]
    public async Task every_reaction_that_can_be_added_can_be_withdrawn_through_its_route()
    {
        var id = await ConversationOfAyuAndBudi();
        var message = await As("ayu").Say(id);
        var emoji = Backchannel.Specs.Deciding.ValidatorSpecs.EmojiSamples;
        foreach (var e in emoji) await As("budi").Post($"/conversations/{id}/messages/{message}/reactions", new { emoji = e });
        Reactions(await As("budi").Get<JsonElement>($"/conversations/{id}"), message).ShouldBe(emoji, ignoreOrder: true);

        foreach (var e in emoji) await As("budi").Delete($"/conversations/{id}/messages/{message}/reactions/{Uri.EscapeDataString(e)}");
        Reactions(await As("budi").Get<JsonElement>($"/conversations/{id}"), message).ShouldBeEmpty();

        foreach (var notEmoji in (string[])["a/b", "ok", "🔥🔥", "\u200B"])
            await ShouldBeInvalid(await As("budi").Post($"/conversations/{id}/messages/{message}/reactions", new { emoji = notEmoji }, 400), "emoji");
    }

    private static List<string> Reactions(JsonElement thread, string messageId) =>
        [.. thread.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetString() == messageId)
            .GetProperty("reactions").EnumerateArray().Select(r => r.GetProperty("emoji").GetString()!)];

    // Issue 10 #17: some 400s had no errors map and named CLR types; malformed JSON had another type and the parser's text.
    [Theory]
    [InlineData("PUT", "/me/policy", "[]", "body")]
    [InlineData("PUT", "/me/policy", "42", "body")]
    [InlineData("PUT", "/me/policy", "{", "body")]
    [InlineData("PUT", "/me/policy", "", "body")]
    [InlineData("PUT", "/me/policy", "null", "body")]
    [InlineData("PUT", "/me/policy", "{\"policy\":\"nobody\"}", "policy")]
    [InlineData("POST", "/conversations", "{\"to\":\"budi\",\"text\":5}", "to")]
    [InlineData("POST", "/conversations", "{\"to\":[\"budi\"],\"text\":[]}", "text")]
    [InlineData("POST", "/conversations", "{\"to\":[\"budi\"],\"text\":\"hi\"", "body")]
    [InlineData("POST", "/events", "{\"title\":\"x\",\"startsAt\":\"yesterday\"}", "startsAt")]
    [InlineData("POST", "/events", "{\"title\":\"x\",\"startsAt\":\"2027-01-01T10:00:00+01:00\",\"coHosts\":{}}", "coHosts")]
    [InlineData("POST", "/conversations/c1/members", "{\"userIds\":[\"A B\"]}", "userIds[0]")]
    [InlineData("POST", "/follows/A%20B", "", "userId")]
    [InlineData("DELETE", "/conversations/c1/members/A%20B", "", "userId")]
    [InlineData("GET", "/conversations/c1?limit=abc", "", "limit")]
    [InlineData("GET", "/conversations/c1?before=1.5", "", "before")]
    [InlineData("GET", "/conversations/c1?limit=0", "", "limit")]
    public async Task every_400_has_one_shape_naming_the_field_as_the_client_does(string method, string url, string body, string field) =>
        await ShouldBeInvalid(await Raw(method, url, body), field);

    // Issue 10 #18: every refusal was logged at fail with the whole command, the user's text included.
    [Fact]
    public async Task a_refusal_is_logged_as_information_without_what_the_request_carried()
    {
        const string secret = "PRIVATE-WORDS-6d1f0c";
        var id = await ConversationOfAyuAndBudi();
        var message = await As("ayu").Say(id);
        App.Logs.Clear();

        await As("cici").Post($"/conversations/{id}/messages", new { text = secret }, 404);
        await As("budi").Put($"/conversations/{id}/messages/{message}", new { text = secret }, 403);
        await As("ayu").Post("/conversations", new { to = new[] { "Not A Handle" }, text = secret }, 400);
        await As("ayu").Post($"/conversations/{id}/messages", new { text = secret + new string('x', 4_001) }, 400);
        await As("cici").Put($"/conversations/{id}/title", new { title = secret }, 404);
        await As("ayu").Post("/rooms", new { title = secret, eventId = "no-such-event" }, 404);
        await As("ayu").Post("/rooms/no-such-room/questions", new { text = secret, anonymous = true }, 404);
        await As("ayu").Post("/events", new { title = secret, startsAt = DateTimeOffset.UtcNow.AddDays(-1) }, 400);
        await ShouldBeInvalid(await Raw("POST", $"/conversations/{id}/messages", $"{{\"text\":\"{secret}\",\"replyTo\":5}}"), "replyTo");
        await ShouldBeInvalid(await Raw("POST", $"/conversations/{id}/messages", $"{{\"text\":\"{secret}\""), "body");
        await ShouldBeInvalid(await As("ayu").Get($"/audit/requests?userId={secret}", 400), "userId");

        var entries = App.Logs.Entries;
        entries.Where(e => e.Text.Contains(secret, StringComparison.Ordinal)).ShouldBeEmpty();
        entries.Where(e => e.Level >= LogLevel.Error).ShouldBeEmpty();
        entries.Count(e => e.Category == RefusalLog.Category && e.Level == LogLevel.Information).ShouldBe(11);
    }
}
