using Backchannel.Projections;
using System.Collections.Concurrent;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Host;
using Backchannel.Specs.Support;
using Marten;
using Marten.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Shouldly;
using Wolverine;
using Xunit.Abstractions;

namespace Backchannel.Specs.Faults;

/// <summary>
/// Many writers on one conversation and one room while commits fail on purpose (a seeded exception just before
/// commit) and the server cuts random connections of the host (<c>pg_terminate_backend</c>). Clients retry with the
/// same ids. Afterwards the oracle: gapless streams, every acknowledged message, question and vote stored exactly
/// once, every view equal to its rebuild.
/// </summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class ConcurrencyOracleSpecs(ITestOutputHelper output)
{
    private const string AppName = "backchannel-oracle";
    private const int Members = 6, MessagesEach = 25, Listeners = 20;

    [Fact]
    public async Task retried_writes_under_failed_commits_and_cut_connections_are_each_stored_exactly_once()
    {
        var db = await FaultDatabase.RecreateAsync("backchannel_faults_oracle");
        var faults = new CommitFaults(seed: 5, probability: 0.15);
        var app = BackchannelHost.Build([], b =>
        {
            b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Backchannel"] = new NpgsqlConnectionStringBuilder(db) { ApplicationName = AppName }.ConnectionString,
                ["Backchannel:Daemon"] = nameof(DaemonChoice.Solo),
                ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
                ["Backchannel:RateLimits:QuestionsPerMinutePerRoom"] = "1000",
                ["Logging:LogLevel:Default"] = "Critical", // the cut connections are expected; their errors are noise here
            });
            b.WebHost.UseUrls("http://127.0.0.1:0");
            b.Services.ConfigureMarten<IBackchannelStore>(opts => opts.Listeners.Add(faults));
        });
        await using (app)
        {
            await app.StartAsync();
            // A scope: IMessageBus is scoped, and a process whose other specs set the Development environment validates scopes.
            await using var scope = app.Services.CreateAsyncScope();
            var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();

            // Arrange, without faults: a group of seven, a live room with twenty listeners and one hot question.
            var conversation = Guid.CreateVersion7().ToString();
            var members = Enumerable.Range(1, Members).Select(i => $"om{i}").ToList();
            foreach (var m in members) await bus.InvokeAsync(new FollowUser(m, "oowner"));
            await bus.InvokeAsync<ConversationRequested>(new RequestConversation(conversation, "oowner", members, "welcome", null));
            var room = Guid.CreateVersion7().ToString();
            await bus.InvokeAsync(new StartRoom(room, Guid.CreateVersion7().ToString(), "ohost", "Oracle room", null));
            var listeners = Enumerable.Range(1, Listeners).Select(i => $"ol{i}").ToList();
            foreach (var l in listeners) await bus.InvokeAsync(new JoinRoom(room, l));
            var hot = Guid.CreateVersion7().ToString();
            await bus.InvokeAsync<Paced>(new AskQuestion(hot, room, listeners[0], "The hot one?", false));

            // Act, with faults: every command retried with its own ids until acknowledged.
            var acknowledged = new ConcurrentBag<(string Kind, string Id)>();
            var attempts = 0;
            async Task UntilAcknowledged(string kind, string id, object command)
            {
                for (var attempt = 1; ; attempt++)
                {
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        await bus.InvokeAsync(command);
                        acknowledged.Add((kind, id));
                        return;
                    }
                    catch (Exception e) when (e is not RuleViolation && attempt < 40)
                    {
                        await Task.Delay(Random.Shared.Next(5, 40));
                    }
                }
            }

            faults.Enabled = true;
            using var stopCutting = new CancellationTokenSource();
            var cutter = CutConnectionsAsync(db, stopCutting.Token);
            var writers = new List<Func<Task>>();
            foreach (var author in members.Append("oowner"))
                writers.Add(async () =>
                {
                    for (var i = 0; i < MessagesEach; i++)
                    {
                        var id = Guid.CreateVersion7().ToString();
                        await UntilAcknowledged("message", id, new SendMessage(conversation, id, author, $"{author} {i}", null));
                    }
                });
            var asked = listeners.ToDictionary(l => l, _ => new[] { Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString() });
            foreach (var l in listeners)
                writers.Add(async () =>
                {
                    foreach (var q in asked[l]) await UntilAcknowledged("question", q, new AskQuestion(q, room, l, $"From {l}?", false));
                    await UntilAcknowledged("vote", $"{hot}/{l}", new UpvoteQuestion(hot, room, l));
                });
            await Task.WhenAll(writers.Select(w => Task.Run(w)));
            // Votes on each other's questions, now that they exist.
            await Task.WhenAll(listeners.Select((l, i) => Task.Run(async () =>
            {
                foreach (var q in asked[listeners[(i + 1) % Listeners]]) await UntilAcknowledged("vote", $"{q}/{l}", new UpvoteQuestion(q, room, l));
            })));
            stopCutting.Cancel();
            var cut = await cutter;
            faults.Enabled = false;
            output.WriteLine($"{acknowledged.Count} commands acknowledged after {attempts} attempts; {faults.Injected} commits failed on purpose, " +
                             $"{cut} connections cut");
            faults.Injected.ShouldBeGreaterThan(0);
            cut.ShouldBeGreaterThan(0);

            var lastEvent = await FaultDatabase.ScalarAsync<long>(db, $"select max(seq_id) from {FaultDatabase.Schema}.mt_events");
            await Poll.UntilAsync(() => FaultDatabase.ListAsync(db,
                    $"select last_seq_id from {FaultDatabase.Schema}.mt_event_progression where name like '%:All'", r => r.GetInt64(0)),
                shards => shards.Count == FaultDatabase.AsyncViews && shards.All(s => s >= lastEvent), TimeSpan.FromSeconds(60), "the daemon surviving cut connections and catching up");
            await app.StopAsync();

            var messages = acknowledged.Where(a => a.Kind == "message").Select(a => a.Id).ToList();
            messages.Count.ShouldBe((Members + 1) * MessagesEach);
            var storedMessages = await StoreInvariants.EventIdsAsync(db, "message_sent", "messageId");
            StoreInvariants.EachAcknowledgedStoredOnce(messages, storedMessages, "messages");
            storedMessages.Count.ShouldBe(messages.Count + 1, "the acknowledged messages and the opening one, nothing else");
            var sequences = await FaultDatabase.ListAsync(db,
                $"select (data->>'sequence')::int from {FaultDatabase.Schema}.mt_events where stream_id = '{conversation}' and type = 'message_sent' order by version",
                r => r.GetInt32(0));
            sequences.ShouldBe(Enumerable.Range(1, messages.Count + 1), "message sequence numbers gapless and in order");

            var questions = acknowledged.Where(a => a.Kind == "question").Select(a => a.Id).Append(hot).ToList();
            var storedQuestions = await StoreInvariants.EventIdsAsync(db, "question_asked", "questionId");
            StoreInvariants.EachAcknowledgedStoredOnce(questions, storedQuestions, "questions");
            storedQuestions.Count.ShouldBe(questions.Count);
            var votes = acknowledged.Where(a => a.Kind == "vote").Select(a => a.Id).ToList();
            var storedVotes = await FaultDatabase.ListAsync(db,
                $"select (data->>'questionId') || '/' || (data->>'userId') from {FaultDatabase.Schema}.mt_events where type = 'question_upvoted'", r => r.GetString(0));
            StoreInvariants.EachAcknowledgedStoredOnce(votes, storedVotes, "votes");
            storedVotes.Count.ShouldBe(votes.Count);

            await StoreInvariants.StreamVersionsAreGaplessAsync(db);
            await StoreInvariants.NoEventWasSkippedAsync(db);
        }
        await using var reader = StoreReader.For(db);
        await reader.ViewsEqualTheirRebuildAsync();
    }

    /// <summary>Terminates one random connection of the host every 100-300 ms, from a connection of its own.</summary>
    private static async Task<int> CutConnectionsAsync(string db, CancellationToken stop)
    {
        var cut = 0;
        var random = new Random(9);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(random.Next(100, 300), stop);
                cut += await FaultDatabase.ScalarAsync<int>(db, $"""
                    select count(*)::int from (select pg_terminate_backend(pid) from pg_stat_activity
                    where application_name = '{AppName}' and pid <> pg_backend_pid() order by random() limit 1) t
                    """);
            }
            catch (OperationCanceledException) { }
        }
        return cut;
    }

    /// <summary>Fails a seeded share of the saves that append events, just before their transaction.</summary>
    private sealed class CommitFaults(int seed, double probability) : IDocumentSessionListener
    {
        private readonly Random _random = new(seed);
        private int _injected;

        public volatile bool Enabled;
        public int Injected => _injected;

        /// <remarks>
        /// Marten 9.58 calls <c>BeforeCommitAsync</c> of no listener of these sessions (measured: never, over 300
        /// commits), so the fault is thrown from <c>BeforeSaveChangesAsync</c>: the last hook before the transaction.
        /// </remarks>
        public Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
        {
            if (!Enabled || !session.PendingChanges.Streams().Any()) return Task.CompletedTask;
            bool fail;
            lock (_random) fail = _random.NextDouble() < probability;
            if (!fail) return Task.CompletedTask;
            Interlocked.Increment(ref _injected);
            throw new InvalidOperationException("Injected failure just before commit");
        }

        public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
        public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
        public void DocumentLoaded(object id, object document) { }
        public void DocumentAddedForStorage(object id, object document) { }
    }
}
