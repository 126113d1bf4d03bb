using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Host.Auth;
using Backchannel.Host.Http;
using Bogus;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Wolverine;

namespace Backchannel.Host.Demo;

/// <summary>
/// With <c>Backchannel:Demo:Seed=true</c>: once the host listens, fills an empty store with Bogus-generated people
/// who follow each other, conversations and pending requests (through the real commands), then prints how to try it.
/// </summary>
public sealed class DemoSeeder(IConfiguration configuration, IHostApplicationLifetime lifetime, IServer server,
    IServiceScopeFactory scopes, IDocumentStore store, TokenIssuer tokens, ILogger<DemoSeeder> logger) : BackgroundService
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

        var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
        var token = tokens.Mint(DemoUser);
        Console.WriteLine($$"""

            Backchannel is listening on {{url}} (OpenAPI: {{url}}/openapi/v1.json)
            A token for '{{DemoUser}}' (valid 12 hours):
              {{token}}
            Try it:
              curl -s -H "Authorization: Bearer {{token}}" {{url}}/inbox/requests
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

        for (var i = 0; i < 40; i++)
        {
            var from = i % 4 == 0 ? faker.PickRandom(people.Skip(1)) : faker.PickRandom(people);
            var to = i % 4 == 0 ? [DemoUser] : faker.PickRandom(people.Where(p => p != from), i % 7 == 0 ? 3 : 1).ToList();
            var started = await bus.InvokeAsync<ConversationRequested>(
                new RequestConversation(Ids.New(), from, to, faker.Lorem.Sentence(), null), ct);
            if (!started.Started) continue;
            foreach (var _ in Enumerable.Range(0, faker.Random.Int(0, 2)))
                await bus.InvokeAsync(new SendMessage(started.ConversationId, Ids.New(), from, faker.Lorem.Sentence(), null), ct);
        }

        logger.LogInformation("Seeded demo data: {People} people", people.Count);
    }
}
