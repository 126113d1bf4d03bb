using System.Collections.Immutable;
using System.Diagnostics;
using Backchannel.Domain.Conversations;
using Backchannel.Projections.Rebuilding;
using Npgsql;

namespace Backchannel.Bench;

/// <summary>
/// The copy of a rebuild's messages into their fresh table, alone: the rebuild's own writer against Marten's bulk
/// loader, the same documents, in turns (which goes first alternates), each round on an emptied table. Prints the
/// medians of the wall time, of this process's CPU and of the database backends' CPU, and the bytes allocated.
/// </summary>
internal static class CopyRows
{
    public static async Task RunAsync(Args args)
    {
        var count = args.Int("--messages", 200_000);
        var rounds = args.Int("--rounds", 5);
        var schema = $"copyrows_{DateTime.UtcNow:yyyyMMddHHmmss}";
        try
        {
            await using var host = await BenchHost.StartAsync(settings: new Dictionary<string, string?>
            {
                ["Backchannel:Schema"] = schema,
                ["Backchannel:Daemon"] = "Off",
            });
            var messages = Messages(count);
            var table = new ViewTables(host.Store, typeof(MessageState));
            await using var connection = (NpgsqlConnection)host.Store.Storage.Database.CreateConnection();
            await connection.OpenAsync();
            await host.Store.Storage.Database.EnsureStorageExistsAsync(typeof(MessageState));
            await table.CreateFreshAsync(connection, CancellationToken.None);
            if (!table.WritesOwnRows) throw new InvalidOperationException("The messages' fresh table is not the one the rebuild's writer knows.");

            var writers = new (string Name, Func<Task> Copy)[]
            {
                ("own writer", () => table.CopyAsync(connection, messages, CancellationToken.None)),
                ("Marten's loader", () => table.CopyWithLoaderAsync(connection, messages, CancellationToken.None)),
            };
            var results = writers.ToDictionary(w => w.Name, _ => new List<(double Wall, double DotNet, double Postgres, long Allocated)>());
            // A warm-up of each, uncounted: the JIT's tiers settle before the rounds.
            foreach (var (_, copy) in writers) await TimedAsync(connection, table, copy);
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, copy) in round % 2 == 0 ? writers : writers.Reverse())
                {
                    var result = await TimedAsync(connection, table, copy);
                    results[name].Add(result);
                    Console.WriteLine($"round {round + 1}, {name}: {result.Wall:F2} s, CPU .NET {result.DotNet:F2} s + PostgreSQL {result.Postgres:F2} s, allocated {result.Allocated >> 20} MiB");
                }
            }

            Console.WriteLine();
            Console.WriteLine($"### Copying {count:N0} messages into a fresh table, medians of {rounds} rounds in turns");
            Console.WriteLine();
            Console.WriteLine("| writer | wall | CPU .NET | CPU PostgreSQL | allocated |");
            Console.WriteLine("| --- | --- | --- | --- | --- |");
            foreach (var (name, list) in results)
                Console.WriteLine($"| {name} | {Median(list.Select(r => r.Wall)):F2} s | {Median(list.Select(r => r.DotNet)):F2} s | " +
                                  $"{Median(list.Select(r => r.Postgres)):F2} s | {Median(list.Select(r => (double)r.Allocated)) / (1 << 20):F0} MiB |");
        }
        finally
        {
            await Scale.DropAsync(schema);
            await Scale.DropAsync($"{schema}_rebuild");
        }
    }

    private static async Task<(double Wall, double DotNet, double Postgres, long Allocated)> TimedAsync(NpgsqlConnection connection, ViewTables table, Func<Task> copy)
    {
        await ViewTables.ExecuteAsync(connection, CancellationToken.None, $"truncate {table.Scratch}.{table.Fresh}");
        GC.Collect();
        var cpu = await Scale.CpuAsync();
        var allocated = GC.GetTotalAllocatedBytes();
        var clock = Stopwatch.StartNew();
        await copy();
        var wall = clock.Elapsed.TotalSeconds;
        var after = await Scale.CpuAsync();
        return (wall, (after.DotNet - cpu.DotNet).TotalSeconds, (after.Postgres - cpu.Postgres).TotalSeconds, GC.GetTotalAllocatedBytes() - allocated);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>Messages shaped like the scale benchmark's: short texts, one in ten with a reaction, one in fifty edited.</summary>
    private static List<MessageState> Messages(int count)
    {
        var at = DateTimeOffset.UtcNow;
        return Enumerable.Range(0, count).Select(i =>
        {
            var conversation = $"seed-{i / 18}";
            var message = MessageState.Create(new MessageSent(conversation, $"{conversation}-m{i % 18 + 1}", i % 18 + 1, $"u0_{i % 12_500}", $"message {i % 18 + 1} of {conversation}", null, at.AddMilliseconds(i)));
            if (i % 10 == 0) message = message with { Reactions = [new EmojiReactions("🔥", ImmutableList.Create($"u0_{(i + 1) % 12_500}"))] };
            if (i % 50 == 0) message = message with { Text = "edited", Edits = 1, EditedAt = at.AddMilliseconds(i + 1) };
            return message;
        }).ToList();
    }
}
