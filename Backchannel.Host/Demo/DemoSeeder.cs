using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Stage;
using Backchannel.Host.Auth;
using Backchannel.Host.Http;
using Backchannel.Projections.Rooms;
using Bogus;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Wolverine;

namespace Backchannel.Host.Demo;

/// <summary>
/// With <c>Backchannel:Demo:Seed=true</c>: once the host listens, fills an empty store with Bogus-generated people
/// who follow each other, conversations and pending requests, a live room with questions and an upcoming event
/// (through the real commands), then prints how to try it.
/// </summary>
public sealed class DemoSeeder(IConfiguration configuration, IHostApplicationLifetime lifetime, IServer server,
    IServiceScopeFactory scopes, IBackchannelStore store, TokenIssuer tokens, ILogger<DemoSeeder> logger) : BackgroundService
{
    public const string DemoUser = "ayu";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.GetValue<bool>("Backchannel:Demo:Seed")) return;
        await WaitForStartAsync(stoppingToken);

        await using (var session = store.QuerySession())
        {
            if (await session.Query<UserProfile>().AnyAsync(p => p.Id == DemoUser, stoppingToken))
                logger.LogInformation("Demo data already seeded");
            else
                await SeedAsync(stoppingToken);
        }

        string? roomId;
        await using (var session = store.QuerySession())
            roomId = await session.Query<RoomView>().Where(r => r.StartedBy == DemoUser && !r.Ended).Select(r => r.Id).FirstOrDefaultAsync(stoppingToken);
        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        var token = tokens.Mint(DemoUser);
        Console.WriteLine($$"""

            Backchannel is listening on {{url}} (OpenAPI: {{url}}/openapi/v1.json)
            Web client: {{url}}/app/ (sign in with a handle: {{DemoUser}}, budi, ...)
            A token for '{{DemoUser}}' (valid 12 hours):
              {{token}}
            Try it:
              curl -s -H "Authorization: Bearer {{token}}" {{url}}/inbox/requests
              curl -s -H "Authorization: Bearer {{token}}" {{url}}/rooms/{{roomId}}/moderation
            More tokens: curl -s -X POST {{url}}/dev/tokens -H 'Content-Type: application/json' -d '{"userId":"budi"}'

            """);
    }

    private async Task WaitForStartAsync(CancellationToken ct)
    {
        var started = new TaskCompletionSource();
        await using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(ct);
    }

    private async Task SeedAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        var faker = new Faker { Random = new Randomizer(2021) };
        var people = new List<string> { DemoUser, "budi" };
        while (people.Count < 36)
        {
            var handle = new string(faker.Internet.UserName().ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(20).ToArray());
            if (handle.Length >= 2 && !people.Contains(handle)) people.Add(handle);
        }

        foreach (var person in people)
            foreach (var followee in faker.PickRandom(people.Where(p => p != person), 6))
                await bus.InvokeAsync(new FollowUser(person, followee), ct);
        await bus.InvokeAsync(new SetMessagePolicy(people[^1], MessagePolicy.Following), ct);

        string? toReport = null;
        for (var i = 0; i < 40; i++)
        {
            var from = i % 4 == 0 ? faker.PickRandom(people.Skip(1)) : faker.PickRandom(people);
            var to = i % 4 == 0 ? [DemoUser] : faker.PickRandom(people.Where(p => p != from), i % 7 == 0 ? 3 : 1).ToList();
            var started = await bus.InvokeAsync<ConversationRequested>(
                new RequestConversation(Ids.New(), from, to, faker.Lorem.Sentence(), null), ct);
            if (!started.Started) continue;
            if (to is [DemoUser] && from != "budi") toReport ??= started.ConversationId;
            foreach (var _ in Enumerable.Range(0, faker.Random.Int(0, 2)))
                await bus.InvokeAsync(new SendMessage(started.ConversationId, Ids.New(), from, faker.Lorem.Sentence(), null), ct);
        }

        // Something in the operators' report queue.
        if (toReport is not null) await bus.InvokeAsync(new ReportRequest(toReport, DemoUser, "Unsolicited promotion"), ct);

        await SeedRoomAsync(bus, faker, people, ct);
        logger.LogInformation("Seeded demo data: {People} people", people.Count);
    }

    /// <summary>A live room moderated by the demo user, with listeners, questions, votes and a raised hand; and an event.</summary>
    private static async Task SeedRoomAsync(IMessageBus bus, Faker faker, IReadOnlyList<string> people, CancellationToken ct)
    {
        var room = await bus.InvokeAsync<RoomOpened>(new StartRoom(Ids.New(), Ids.New(), DemoUser, "Morning pages, live", null), ct);
        var listeners = people.Skip(1).Take(14).ToList();
        foreach (var listener in listeners) await bus.InvokeAsync(new JoinRoom(room.RoomId, listener), ct);
        await bus.InvokeAsync(new PromoteToStage(room.RoomId, DemoUser, listeners[0], null), ct);

        var questions = new List<string>();
        foreach (var asker in listeners.Skip(1).Take(5))
        {
            var question = new AskQuestion(Ids.New(), room.RoomId, asker, faker.Lorem.Sentence().TrimEnd('.') + "?", faker.Random.Bool(0.3f));
            await bus.InvokeAsync(question, ct);
            questions.Add(question.QuestionId);
        }
        foreach (var voter in listeners.Skip(1))
            foreach (var question in faker.PickRandom(questions, 2))
                await bus.InvokeAsync(new UpvoteQuestion(question, room.RoomId, voter), ct);
        await bus.InvokeAsync(new ApproveQuestion(questions[0], room.RoomId, DemoUser), ct);
        await bus.InvokeAsync(new RaiseHand(room.RoomId, listeners[^1]), ct);

        await bus.InvokeAsync(new FollowUser("budi", DemoUser), ct);
        await bus.InvokeAsync(new ScheduleEvent(Ids.New(), Ids.New(), DemoUser, "Morning pages: the sequel",
            DateTimeOffset.UtcNow.AddDays(7), ["budi"]), ct);
    }
}
