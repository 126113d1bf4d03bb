using System.Globalization;
using Npgsql;

namespace Backchannel.Bench;

/// <summary>
/// The write path side by side, in one run: pgbench's one-event append (the ceiling), the product, the framework's floor
/// (Wolverine + Marten, bench/Backchannel.Bench.Floor) and the EF Core peer (bench/Backchannel.Bench.EfCore), each in a
/// process of its own, loaded by wrk from another with the same SendMessage requests (the product's with a JWT).
/// All three run at once, idle but for the one wrk loads; rounds go round them. Messages/s and their ratio to the ceiling, p50/p99 at each number of clients, the target's resident set read from
/// /proc while wrk drives it, and the product's push lag at 50% and 80% of its maximum. Prints markdown tables.
/// </summary>
public static class WritePath
{
    private sealed record Level(int Clients, double Rate, double P50, double P99);

    private sealed record Measured(string Target, IReadOnlyList<Level> Levels, double ResidentUnderLoad, double Peak, long Failed, long SocketErrors);

    private static readonly (string Name, string Label)[] Targets =
    [
        ("product", "**product** (Backchannel.Host, JWT)"),
        ("floor", "Wolverine + Marten floor"),
        ("efcore", "EF Core peer"),
    ];

    public static async Task RunAsync(Args args)
    {
        var seconds = args.Int("--seconds", 10);
        var rounds = args.Int("--rounds", 5);
        var levels = (args.Text("--levels") ?? "1,4,16,64").Split(',').Select(int.Parse).ToArray();
        var ratioClients = args.Int("--clients", 16);
        if (!levels.Contains(ratioClients)) levels = [.. levels.Append(ratioClients).Order()];
        var conversations = args.Int("--conversations", 256);
        var warmUp = args.Int("--warm-up", 30);
        var chosen = (args.Text("--targets") ?? "product,floor,efcore").Split(',');
        var lag = !args.Has("--no-lag");
        TargetProcess.ExtraEnvironment = (args.Text("--target-env") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1]);
        var run = $"wp{DateTime.UtcNow:MMddHHmmss}";
        var logs = Path.Combine(AppContext.BaseDirectory, "logs");
        Console.WriteLine($"write path {run}: {Environment.ProcessorCount} cores, {rounds} rounds of {seconds} s at {string.Join(", ", levels)} clients, " +
                          $"{conversations} conversations, ratio at {ratioClients} clients; {Connection()}" +
                          string.Concat(TargetProcess.ExtraEnvironment.Select(e => $"; {e.Key}={e.Value}")));

        var ceilings = new List<double>();
        var measured = new List<Measured>();
        LagResult? lagResult = null;
        var names = Targets.Select(t => t.Name).Where(chosen.Contains).ToList();
        var targets = new List<(TargetProcess Process, IReadOnlyList<Pair> Pairs, string File)>();
        try
        {
            foreach (var name in names)
            {
                var schema = $"{run}_{name}";
                var log = Path.Combine(logs, $"{schema}.log");
                var target = name switch
                {
                    "product" => await TargetProcess.StartProductAsync(schema, log),
                    "floor" => await TargetProcess.StartPeerAsync(name, "Backchannel.Bench.Floor", schema, log),
                    _ => await TargetProcess.StartPeerAsync(name, "Backchannel.Bench.EfCore", schema, log),
                };
                targets.Add((target, [], ""));
                var pairs = await target.StartConversationsAsync(conversations, $"{run}{name[..2]}");
                targets[^1] = (target, pairs, await Wrk.WriteConversationsAsync(target, pairs, Path.Combine(logs, $"{schema}.conversations")));
            }
            // Tiered JIT, generated code, pools, the database's caches.
            foreach (var (target, _, file) in targets) await Wrk.RunAsync(target.Address, ratioClients, warmUp, file, $"{run}-warm");

            // Every round runs the ceiling and every target in turn, the first target moving on by one each round: the
            // machine is shared, and whatever else runs on it then weighs on all of them alike.
            var samples = targets.ToDictionary(t => t.Process.Name, _ => levels.ToDictionary(c => c, _ => new List<WrkResult>()));
            var residents = targets.ToDictionary(t => t.Process.Name, _ => new List<double>());
            for (var round = 1; round <= rounds; round++)
            {
                ceilings.Add(await Ceiling.MeasureAsync(ratioClients, seconds));
                foreach (var (target, _, file) in targets.Skip((round - 1) % targets.Count).Concat(targets.Take((round - 1) % targets.Count)))
                foreach (var clients in levels)
                {
                    using var sampling = new CancellationTokenSource();
                    var resident = SampleResidentAsync(target, sampling.Token);
                    var result = await Wrk.RunAsync(target.Address, clients, seconds, file, $"{run}-r{round}c{clients}");
                    await sampling.CancelAsync();
                    var peak = await resident;
                    if (clients == ratioClients) residents[target.Name].Add(peak);
                    samples[target.Name][clients].Add(result);
                    Console.WriteLine($"{target.Name} round {round}, {clients} clients: {result.Rate:F0} messages/s, p50 {result.P50:F1} ms, p99 {result.P99:F1} ms, " +
                                      $"max {result.Max:F0} ms; resident {peak:F0} MiB; {result.Requests} answers, {result.Failed} failed, {result.SocketErrors} socket errors");
                }
            }
            foreach (var (target, pairs, _) in targets)
            {
                if (target.Name == "product" && lag)
                    lagResult = await ProjectionLag.MeasureAsync(target, pairs, ratioClients, args.Int("--lag-seconds", 15),
                        args.Int("--listeners", 32), args.Int("--lag-rounds", 3), TimeSpan.FromSeconds(Math.Min(warmUp, 5)));
                var runs = samples[target.Name];
                measured.Add(new Measured(target.Name,
                    levels.Select(c => new Level(c, Stats.Median(runs[c].Select(s => s.Rate)), Stats.Median(runs[c].Select(s => s.P50)),
                        Stats.Median(runs[c].Select(s => s.P99)))).ToList(),
                    Stats.Median(residents[target.Name]), target.Memory().Peak,
                    runs.Values.Sum(s => s.Sum(r => r.Failed)), runs.Values.Sum(s => s.Sum(r => r.SocketErrors))));
            }
        }
        finally
        {
            foreach (var (target, _, _) in targets) await target.DisposeAsync();
            // Once the targets have stopped: their nodes and envelopes live in the same schemas.
            await using var connection = new NpgsqlConnection(BenchHost.Connection);
            await connection.OpenAsync();
            foreach (var name in names)
                await new NpgsqlCommand($"drop schema if exists {run}_{name} cascade", connection).ExecuteNonQueryAsync();
        }
        Print(run, ceilings, ratioClients, rounds, measured, lagResult);
    }

    private static string Connection() => string.Join(';', BenchHost.Connection.Split(';').Where(p => !p.StartsWith("Password", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The peak resident set of the target, sampled from outside every 100 ms, in MiB.</summary>
    private static async Task<double> SampleResidentAsync(TargetProcess target, CancellationToken ct)
    {
        var peak = 0.0;
        while (!ct.IsCancellationRequested)
        {
            peak = Math.Max(peak, target.Memory().Resident);
            try { await Task.Delay(100, ct); } catch (OperationCanceledException) { break; }
        }
        return peak;
    }

    private static void Print(string run, List<double> ceilings, int ratioClients, int rounds, List<Measured> measured, LagResult? lag)
    {
        var ceiling = Stats.Median(ceilings);
        string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
        string Ms(double value) => value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture) + " ms";
        string Label(string name) => Targets.First(t => t.Name == name).Label;

        Console.WriteLine();
        Console.WriteLine($"### Write path, run {run}: SendMessage, {ratioClients} clients, medians of {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine("| | messages/s | / ceiling | p50 | p99 | resident under load (peak RSS) | VmHWM | failed |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        Console.WriteLine($"| pgbench one-event append (ceiling; rounds {string.Join(", ", ceilings.Select(N))}) | {N(ceiling)} tps | 1.00 | | | | | |");
        foreach (var m in measured)
        {
            var at = m.Levels.First(l => l.Clients == ratioClients);
            Console.WriteLine($"| {Label(m.Target)} | {N(at.Rate)} | {(at.Rate / ceiling).ToString("F3", CultureInfo.InvariantCulture)} | {Ms(at.P50)} | {Ms(at.P99)} | " +
                              $"{N(m.ResidentUnderLoad)} MiB | {N(m.Peak)} MiB | {m.Failed + m.SocketErrors} |");
        }

        Console.WriteLine();
        Console.WriteLine($"### Write path, run {run}: messages/s, p50 / p99 by clients, medians of {rounds} rounds");
        Console.WriteLine();
        Console.WriteLine($"| clients | {string.Join(" | ", measured.Select(m => Label(m.Target)))} |");
        Console.WriteLine($"| --- |{string.Concat(measured.Select(_ => " --- |"))}");
        foreach (var clients in measured[0].Levels.Select(l => l.Clients))
            Console.WriteLine($"| {clients} | {string.Join(" | ", measured.Select(m => m.Levels.First(l => l.Clients == clients)).Select(l => $"{N(l.Rate)}/s, {Ms(l.P50)} / {Ms(l.P99)}"))} |");

        if (lag is null) return;
        Console.WriteLine();
        Console.WriteLine($"### Write path, run {run}: push lag, 201 to the other member's stream (maximum {N(lag.Maximum)} messages/s, {ratioClients} clients)");
        Console.WriteLine();
        Console.WriteLine("| load | achieved | p50 | p99 | goal p99 |");
        Console.WriteLine("| --- | --- | --- | --- | --- |");
        Console.WriteLine($"| 50% of maximum | {N(lag.AchievedAt50)}/s | {Ms(lag.P50At50)} | {Ms(lag.P99At50)} | <= 100 ms |");
        Console.WriteLine($"| 80% of maximum | {N(lag.AchievedAt80)}/s | {Ms(lag.P50At80)} | {Ms(lag.P99At80)} | <= 100 ms |");
    }
}
