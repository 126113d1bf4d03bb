using Backchannel.Domain.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Alba;
using Backchannel.Projections.Push;
using Backchannel.Projections.Rooms;
using Backchannel.Specs.Support;
using Bogus;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>
/// An anonymous question hides its asker from everyone but the audit. Proved by two worlds: the same random history of
/// a room run twice on fresh data at the same times, the anonymous question asked by cici in one and by dodi in the
/// other, both present listeners doing the same things otherwise. Everything the stage (and a bystander listener) can
/// observe must be equal: the room and moderation views after every step, the status and body of every command anyone
/// but the asker's own view sends, the stage's probes of the question (promoting either suspect from it, answering it
/// privately, screening it), and every item of the stage's push streams. Only generated ids are renamed, in order of
/// first appearance, and push positions are read relative to the stream's first.
/// </summary>
public sealed partial class AnonymousAskerWorldsSpecs(AppFixture app) : AppSpec(app)
{
    private const string Moderator = "ayu", Speaker = "budi", A = "cici", B = "dodi", Bystander = "eka";
    private static readonly string[] Listeners = [A, B, Bystander, "fajar"];
    private static readonly string[] Screenings = ["approve", "pin", "unpin", "answer-private", "answer-public", "dismiss", "reopen", "answered-live"];
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(7)]
    [InlineData(42)]
    public async Task everything_the_stage_can_observe_is_the_same_whoever_asked_the_anonymous_question(int seed)
    {
        // An hour back, so that the tokens minted on the way are never issued in the future.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()).AddHours(-1);
        try
        {
            var askedByA = await WorldAsync(seed, asker: A, start);
            await Host.ResetAllMartenDataAsync<IBackchannelStore>();
            var askedByB = await WorldAsync(seed, asker: B, start);

            var first = Enumerable.Range(0, Math.Min(askedByA.Count, askedByB.Count)).FirstOrDefault(i => askedByA[i] != askedByB[i], -1);
            if (first >= 0) askedByB[first].ShouldBe(askedByA[first], $"observation {first} differs with the asker");
            askedByB.Count.ShouldBe(askedByA.Count);
        }
        finally
        {
            App.Clock.Release();
        }
    }

    private async Task<IReadOnlyList<string>> WorldAsync(int seed, string asker, DateTimeOffset start)
    {
        var clock = App.Clock;
        clock.Set(start);
        var world = new World();
        var faker = new Faker { Random = new Randomizer(seed) };

        var room = (await As(Moderator).StartRoom("Two worlds")).RoomId;
        foreach (var person in (string[])[Speaker, .. Listeners])
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await As(person).Join(room);
        }
        clock.Advance(TimeSpan.FromSeconds(1));
        await As(Moderator).Post($"/rooms/{room}/stage", new { userId = Speaker });
        await using var moderatorPush = await ListenFromNow(Moderator);
        await using var speakerPush = await ListenFromNow(Speaker);

        var questions = new List<string>();
        var anonymousAt = faker.Random.Int(0, 4);
        string? anonymous = null;
        for (var step = 0; step < 30; step++)
        {
            clock.Advance(Step);
            if (step == anonymousAt)
            {
                var asked = await SendAsync(asker, HttpMethod.Post, $"/rooms/{room}/questions", new { text = "Who here was fired last year?", anonymous = true });
                asked.Status.ShouldBe(201);
                anonymous = JsonNode.Parse(asked.Body)!["questionId"]!.GetValue<string>();
                questions.Add(anonymous);
            }
            else
            {
                var sent = await RandomCommandAsync(faker, room, questions, suspectsStayListeners: anonymous is null);
                world.Observe(sent.Line);
                if (sent.Created is { } created) questions.Add(created);
            }
            await ObserveViewsAsync(world, room);
        }

        // The stage probes the anonymous question every way it can.
        foreach (var suspect in (string[])[A, B, Bystander])
            world.Observe((await SendAsync(Moderator, HttpMethod.Post, $"/rooms/{room}/stage", new { userId = suspect, questionId = anonymous })).Line);
        foreach (var screening in Screenings)
        {
            clock.Advance(Step);
            world.Observe((await ScreenAsync(Speaker, screening, room, anonymous!)).Line);
            await ObserveViewsAsync(world, room);
        }

        // The asker alone sees it as theirs, with its private answers.
        (await As(asker).Room(room)).YourQuestions.ShouldContain(q => q.QuestionId == anonymous && q.Anonymous && q.AskedBy == null
            && q.Answers.Any(a => a.Visibility == Backchannel.Domain.Questions.AnswerVisibility.Private));
        (await As(asker == A ? B : A).Room(room)).YourQuestions.ShouldNotContain(q => q.QuestionId == anonymous);

        clock.Advance(Step);
        await As(Moderator).Post($"/rooms/{room}/end");
        foreach (var (who, push) in new[] { (Moderator, moderatorPush), (Speaker, speakerPush) })
        {
            var items = await push.UntilAsync(e => e.Kind == RoomFeedSource.ModerationKind && e.Text("change") == "room_ended");
            var first = items[0].Id;
            foreach (var item in items) world.Observe($"push to {who}: +{item.Id - first} {item.Kind} {item.Data.GetRawText()}");
        }
        return world.Observations;
    }

    private async Task ObserveViewsAsync(World world, string room)
    {
        foreach (var viewer in (string[])[Moderator, Speaker])
        {
            world.Observe((await SendAsync(viewer, HttpMethod.Get, $"/rooms/{room}")).Line);
            world.Observe((await SendAsync(viewer, HttpMethod.Get, $"/rooms/{room}/moderation")).Line);
        }
        world.Observe((await SendAsync(Bystander, HttpMethod.Get, $"/rooms/{room}")).Line);
    }

    /// <summary>One command of the history, drawn from the seed alone, never from what earlier commands answered.</summary>
    private async Task<(string Line, string? Created)> RandomCommandAsync(Faker faker, string room, IReadOnlyList<string> questions,
        bool suspectsStayListeners)
    {
        var listener = faker.PickRandom(Listeners);
        // Until the question is asked, both suspects are listeners present in the room, in either world.
        var moved = suspectsStayListeners && listener is A or B ? Bystander : listener;
        var question = questions.Count == 0 ? "none" : questions[faker.Random.Int(0, questions.Count - 1)];
        var stage = faker.PickRandom(Moderator, Speaker);
        switch (faker.Random.Int(0, 19))
        {
            case <= 3:
                var anonymousToo = listener == Bystander && faker.Random.Bool();
                var asked = await SendAsync(listener, HttpMethod.Post, $"/rooms/{room}/questions", new { text = faker.Lorem.Sentence(), anonymous = anonymousToo });
                return (asked.Line, asked.Status == 201 ? JsonNode.Parse(asked.Body)!["questionId"]!.GetValue<string>() : null);
            case <= 6: return ((await SendAsync(listener, HttpMethod.Post, $"/rooms/{room}/questions/{question}/upvote")).Line, null);
            case 7: return ((await SendAsync(listener, HttpMethod.Delete, $"/rooms/{room}/questions/{question}/upvote")).Line, null);
            case 8: return ((await SendAsync(listener, HttpMethod.Post, $"/rooms/{room}/hand")).Line, null);
            case 9: return ((await SendAsync(listener, HttpMethod.Delete, $"/rooms/{room}/hand")).Line, null);
            case <= 15: return ((await ScreenAsync(stage, faker.PickRandom(Screenings), room, question)).Line, null);
            case 16:
                return ((await SendAsync(Moderator, HttpMethod.Post, $"/rooms/{room}/stage", new { userId = moved, questionId = question })).Line, null);
            case 17: return ((await SendAsync(Moderator, HttpMethod.Post, $"/rooms/{room}/stage", new { userId = moved })).Line, null);
            case 18: return ((await SendAsync(Moderator, HttpMethod.Delete, $"/rooms/{room}/stage/{moved}")).Line, null);
            default:
                return ((await SendAsync(listener, HttpMethod.Post, "/conversations", new { to = new[] { Speaker }, text = faker.Lorem.Sentence(), roomId = room })).Line, null);
        }
    }

    private Task<Sent> ScreenAsync(string actor, string screening, string room, string question)
    {
        var url = $"/rooms/{room}/questions/{question}";
        return screening switch
        {
            "approve" => SendAsync(actor, HttpMethod.Post, $"{url}/approve"),
            "dismiss" => SendAsync(actor, HttpMethod.Post, $"{url}/dismiss?reason=later"),
            "reopen" => SendAsync(actor, HttpMethod.Post, $"{url}/reopen"),
            "pin" => SendAsync(actor, HttpMethod.Post, $"{url}/pin"),
            "unpin" => SendAsync(actor, HttpMethod.Delete, $"{url}/pin"),
            "answer-public" => SendAsync(actor, HttpMethod.Post, $"{url}/answer", new { text = "For everyone.", visibility = "public" }),
            "answer-private" => SendAsync(actor, HttpMethod.Post, $"{url}/answer", new { text = "Just for you.", visibility = "private" }),
            _ => SendAsync(actor, HttpMethod.Post, $"{url}/answered-live"),
        };
    }

    private sealed record Sent(string Line, int Status, string Body);

    /// <summary>Sends a request whatever it answers, and writes down who sent what and all it answered.</summary>
    private async Task<Sent> SendAsync(string actor, HttpMethod method, string url, object? body = null)
    {
        var token = App.TokenFor(actor);
        var result = await Host.Scenario(s =>
        {
            if (method == HttpMethod.Get) s.Get.Url(url);
            else if (method == HttpMethod.Delete) s.Delete.Url(url);
            else if (body is null) s.Post.Url(url);
            else s.Post.Json(body).ToUrl(url);
            s.WithRequestHeader("Authorization", $"Bearer {token}");
            s.IgnoreStatusCode();
        });
        var status = result.Context.Response.StatusCode;
        var text = await result.ReadAsTextAsync();
        var retryAfter = result.Context.Response.Headers.RetryAfter.ToString();
        return new Sent($"{actor} {method} {url} {(body is null ? "" : JsonSerializer.Serialize(body))} -> {status} {retryAfter} {WithoutTrace(text)}",
            status, text);
    }

    /// <summary>A ProblemDetails' trace id names the request, not anything of the world.</summary>
    private static string WithoutTrace(string text)
    {
        if (text.Length == 0 || JsonNode.Parse(text) is not JsonObject json) return text;
        json.Remove("traceId");
        return json.ToJsonString();
    }

    private sealed partial class World
    {
        private readonly Dictionary<string, string> _names = [];
        public List<string> Observations { get; } = [];

        /// <summary>Generated ids are renamed in order of first appearance: the same history names the same things alike.</summary>
        public void Observe(string line) =>
            Observations.Add(GeneratedId().Replace(line, m => _names.TryGetValue(m.Value, out var name) ? name : _names[m.Value] = $"id{_names.Count + 1}"));

        [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
        private static partial Regex GeneratedId();
    }
}
