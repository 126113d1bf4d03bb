using System.Diagnostics;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Projections;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Backchannel.Bench;

/// <summary>
/// Grows one event store through tiers (10k, 100k, 1M events by default), seeded with Marten's bulk event insert, and at
/// each tier rebuilds every view from the events (events/s) and reads the same users' inboxes and the same threads over
/// HTTP (p50/p99): a read should cost the same in a store a hundred times bigger.
/// </summary>
public static class Scale
{
    private const int MessagesPerConversation = 18;
    private const int EventsPerConversation = MessagesPerConversation + 2;
    private const int ConversationsPerUser = 8;

    public static async Task RunAsync(Args args)
    {
        var tiers = (args.Text("--tiers") ?? "10000,100000,1000000").Split(',').Select(int.Parse).ToList();
        var reads = args.Int("--reads", 400);
        var rounds = args.Int("--rounds", 1);
        var perView = args.Has("--per-view");
        // Spread over this many days, the history is mostly older than the push feed's retention (7 days), as a store's
        // is after some months; 0 (the default): every event happened just now, the rebuild's worst case.
        var historyDays = args.Int("--history-days", 0);
        var schema = $"scale_{DateTime.UtcNow:yyyyMMddHHmmss}";
        // --keep leaves the store behind, to time the `rebuild` command on it as an operator would.
        var keep = args.Has("--keep");
        try
        {
            await RunTiersAsync(tiers, reads, schema, rounds, perView, TimeSpan.FromDays(historyDays));
        }
        finally
        {
            if (keep) Console.WriteLine($"kept the store in schema {schema} (Backchannel__Schema={schema}); drop it with: drop schema {schema} cascade");
            else await DropAsync(schema);
        }
    }

    internal static async Task DropAsync(string schema)
    {
        // Once the host has stopped: its nodes and envelopes live in the same schema.
        await using var connection = new NpgsqlConnection(BenchHost.Connection);
        await connection.OpenAsync();
        await new NpgsqlCommand($"drop schema if exists {schema} cascade", connection).ExecuteNonQueryAsync();
    }

    private static async Task RunTiersAsync(IReadOnlyList<int> tiers, int reads, string schema, int rounds, bool perView, TimeSpan historySpan)
    {
        await using var host = await BenchHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Backchannel:Schema"] = schema,
            // The rebuild is timed alone: no daemon of the host's own catches up on the seeded events meanwhile.
            ["Backchannel:Daemon"] = "Off",
        });
        var seeded = 0;
        var random = new Random(7);
        var history = new History(DateTimeOffset.UtcNow - historySpan, historySpan, tiers[^1] / EventsPerConversation);
        var firstTier = new List<Pair>();
        var results = new List<string>();
        foreach (var tier in tiers)
        {
            var conversations = (tier - seeded) / EventsPerConversation;
            var pairs = await SeedAsync(host.Store, seeded / EventsPerConversation, conversations, random, history);
            seeded += conversations * EventsPerConversation;
            if (firstTier.Count == 0) firstTier.AddRange(pairs.Take(50));

            var rates = new List<double>();
            for (var round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var cpu = await CpuAsync();
                await host.Store.RebuildAsync(null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
                rates.Add(seeded / clock.Elapsed.TotalSeconds);
                var (dotnet, postgres) = await CpuAsync();
                // CPU seconds are what a shared machine cannot hide: the wall time grows with the others' load, the
                // work done does not.
                Console.WriteLine($"tier {seeded:N0} events: rebuilt all views in {clock.Elapsed.TotalSeconds:F1} s = {rates[^1]:F0} events/s; " +
                                  $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MiB; " +
                                  $"CPU .NET {(dotnet - cpu.DotNet).TotalSeconds:F1} s + PostgreSQL {(postgres - cpu.Postgres).TotalSeconds:F1} s " +
                                  $"= {seeded / (dotnet - cpu.DotNet + postgres - cpu.Postgres).TotalSeconds:F0} events per CPU-second");
            }
            var rebuildRate = rates.Order().ElementAt(rates.Count / 2);
            if (perView)
            {
                // Each view alone: what `rebuild --view` costs, the events read once for it alone.
                var alone = new List<string>();
                foreach (var view in ViewRebuilder.All)
                {
                    var clock = Stopwatch.StartNew();
                    await host.Store.RebuildAsync(view.Name, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
                    alone.Add($"{view.Name} {seeded / clock.Elapsed.TotalSeconds:F0}/s ({clock.Elapsed.TotalSeconds:F1} s)");
                }
                Console.WriteLine($"tier {seeded:N0} events: each view alone: {string.Join(", ", alone)}");
            }

            // What an operator does after a bulk load or a rebuild (docs/operations.md#rebuild): without it, the reads
            // measured the planner's stale statistics and the GIN index's pending list, not the store's size.
            var vacuum = Stopwatch.StartNew();
            await VacuumAnalyzeAsync(schema);
            Console.WriteLine($"tier {seeded:N0} events: vacuum analyze {vacuum.Elapsed.TotalSeconds:F1} s");

            var inbox = await TimeReadsAsync(host, firstTier, reads, p => (p.First, "/inbox"));
            var thread = await TimeReadsAsync(host, firstTier, reads, p => (p.Second, $"/conversations/{p.ConversationId}"));
            var line = $"tier {seeded:N0} events: inbox p50 {inbox.Percentile(0.5):F2} ms p99 {inbox.Percentile(0.99):F2} ms; " +
                       $"thread p50 {thread.Percentile(0.5):F2} ms p99 {thread.Percentile(0.99):F2} ms; rebuild {rebuildRate:F0} events/s";
            Console.WriteLine(line);
            results.Add(line);
        }
        Console.WriteLine("scale summary (read targets: flat within 20%; rebuild target >= 50,000 events/s at 1M):");
        results.ForEach(Console.WriteLine);
    }

    /// <summary>
    /// Direct conversations between users who follow each other: started, admitted, then messages from both sides.
    /// Each tier brings its own users (each in about <see cref="ConversationsPerUser"/> conversations), so the
    /// first tier's inboxes and threads stay the same size while the store grows around them.
    /// </summary>
    private static async Task<List<Pair>> SeedAsync(IDocumentStore store, int firstConversation, int count, Random random, History history)
    {
        var users = Math.Max(2, count * 2 / ConversationsPerUser);
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        var spread = history.Span > TimeSpan.Zero;
        var pairs = new List<Pair>(count);
        var streams = new List<StreamAction>(count);
        for (var c = 0; c < count; c++)
        {
            var id = $"seed-{firstConversation + c}";
            var first = $"u{firstConversation}_{random.Next(users)}";
            var second = $"u{firstConversation}_{random.Next(users)}";
            if (first == second) second += "x";
            at = spread ? history.Of(firstConversation + c) : at.AddSeconds(1);
            var events = new List<object>
            {
                new ConversationStarted(id, ConversationKind.Direct, first, null, null, at),
                new RequestAdmittedAutomatically(id, first, second, AdmissionRules.RecipientFollowsSender, at),
            };
            for (var m = 1; m <= MessagesPerConversation; m++)
                events.Add(new MessageSent(id, $"{id}-m{m}", m, m % 2 == 0 ? second : first, $"message {m} of {id}", null, at.AddMilliseconds(m)));
            var stream = StreamAction.Start((IEventRegistry)((DocumentStore)store).Options.Events, id, events.ToArray());
            // When the events happened, as the store records it (what retention and the rebuild read).
            if (spread)
                for (var e = 0; e < stream.Events.Count; e++) stream.Events[e].Timestamp = at.AddMilliseconds(e);
            streams.Add(stream);
            pairs.Add(new Pair(id, first, second));
        }
        var clock = Stopwatch.StartNew();
        await store.BulkInsertEventsAsync(streams, 10_000);
        Console.WriteLine($"seeded {count * EventsPerConversation:N0} events in {count:N0} conversations ({users:N0} new users) in {clock.Elapsed.TotalSeconds:F1} s");
        return pairs;
    }

    /// <summary>The conversations of all tiers spread evenly over <see cref="Span"/>, the last one now.</summary>
    private sealed record History(DateTimeOffset Start, TimeSpan Span, int Conversations)
    {
        public DateTimeOffset Of(int conversation) => Start + Span * ((double)conversation / Math.Max(1, Conversations));
    }

    /// <summary>
    /// CPU time so far of this process and of the PostgreSQL backends connected to the bench's database (read from
    /// /proc, so on the same machine only; backends that ended meanwhile are not counted).
    /// </summary>
    internal static async Task<(TimeSpan DotNet, TimeSpan Postgres)> CpuAsync()
    {
        var dotnet = Process.GetCurrentProcess().TotalProcessorTime;
        var postgres = TimeSpan.Zero;
        try
        {
            await using var connection = new NpgsqlConnection(BenchHost.Connection);
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()", connection);
            await using var reader = await query.ExecuteReaderAsync();
            var ticks = 100.0; // USER_HZ on Linux
            while (await reader.ReadAsync())
            {
                var path = $"/proc/{reader.GetInt32(0)}/stat";
                if (!File.Exists(path)) continue;
                var fields = File.ReadAllText(path).Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                postgres += TimeSpan.FromSeconds((long.Parse(fields[11]) + long.Parse(fields[12])) / ticks);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            // Not on the database's machine, or not allowed to read its processes: .NET alone.
        }
        return (dotnet, postgres);
    }

    private static async Task VacuumAnalyzeAsync(string schema)
    {
        await using var connection = new NpgsqlConnection(BenchHost.Connection);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var query = new NpgsqlCommand("select tablename from pg_tables where schemaname = $1", connection) { Parameters = { new() { Value = schema } } })
        await using (var reader = await query.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        foreach (var table in tables) await new NpgsqlCommand($"vacuum analyze {schema}.{table}", connection).ExecuteNonQueryAsync();
    }

    private static async Task<Samples> TimeReadsAsync(BenchHost host, IReadOnlyList<Pair> sample, int reads, Func<Pair, (string User, string Path)> read)
    {
        var clients = sample.Select(p => (Pair: p, Http: host.Client(read(p).User))).ToList();
        var samples = new Samples();
        var warmUp = 10 * sample.Count; // uncounted: tiered JIT, generated code, the database's caches
        for (var i = -warmUp; i < reads; i++)
        {
            var (pair, http) = clients[(i + warmUp) % clients.Count];
            var started = Stopwatch.GetTimestamp();
            using var response = await http.GetAsync(read(pair).Path);
            await response.Content.ReadAsByteArrayAsync();
            if (i >= 0) samples.Add(Stats.Elapsed(started), (int)response.StatusCode);
            else response.EnsureSuccessStatusCode();
        }
        clients.ForEach(c => c.Http.Dispose());
        return samples;
    }
}
