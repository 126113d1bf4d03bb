using System.Diagnostics;

namespace Backchannel.Bench;

/// <summary>
/// SendMessage throughput over HTTP, 16 clients over many conversations, against the database's ceiling measured in
/// the same run; p50/p99 latency; the process's working set while under load.
/// </summary>
public static class Throughput
{
    public static async Task<double> RunAsync(Args args)
    {
        var clients = args.Int("--clients", 16);
        var seconds = args.Int("--seconds", 15);
        var rounds = args.Int("--rounds", 3);
        var variant = StoreVariant.FromArgs(args);
        var ceiling = await Ceiling.MeasureAsync(clients, seconds);

        await using var host = await BenchHost.StartAsync(variant);
        var pairs = await Pair.StartAsync(host, args.Int("--conversations", 256), $"tp{Guid.NewGuid():N}"[..10]);
        var viaBus = args.Text("--via") is "bus";
        var load = new MessageLoad(host, pairs, clients, viaBus);
        await load.RunAsync(TimeSpan.FromSeconds(10)); // warm up: tiered JIT, generated code, pools

        using var stages = Stages.FromArgs(args);
        var acknowledged = 0;
        var (rates, p50s, p99s, workingSets) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var round = 1; round <= rounds; round++)
        {
            using var sampling = new CancellationTokenSource();
            var memory = SampleWorkingSetAsync(sampling.Token);
            var clock = Stopwatch.StartNew();
            var samples = await load.RunAsync(TimeSpan.FromSeconds(seconds));
            var rate = samples.Succeeded / clock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            var peak = await memory;
            acknowledged += samples.Succeeded;
            rates.Add(rate);
            p50s.Add(samples.Percentile(0.50));
            p99s.Add(samples.Percentile(0.99));
            workingSets.Add(peak);
            Console.WriteLine($"round {round}: {rate:F0} messages/s ({rate / ceiling:F2} of ceiling), p50 {samples.Percentile(0.5):F1} ms, " +
                              $"p99 {samples.Percentile(0.99):F1} ms, peak working set {peak:F0} MiB; statuses {samples.Statuses}");
        }
        stages?.Print(acknowledged);
        var median = Stats.Median(rates);
        Console.WriteLine($"throughput [{variant}{(viaBus ? ", in process through the bus, no HTTP" : "")}]: median {median:F0} messages/s = {median / ceiling:F2} of the ceiling ({ceiling:F0} tps); " +
                          $"p50 {Stats.Median(p50s):F1} ms, p99 {Stats.Median(p99s):F1} ms; working set {Stats.Median(workingSets):F0} MiB (target >= 0.50)");
        return median;
    }

    /// <summary>The peak working set of this process (host and load generator) while sampling, in MiB.</summary>
    private static async Task<double> SampleWorkingSetAsync(CancellationToken ct)
    {
        var peak = 0L;
        using var process = Process.GetCurrentProcess();
        while (!ct.IsCancellationRequested)
        {
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
            try { await Task.Delay(250, ct); } catch (OperationCanceledException) { break; }
        }
        return peak / 1024.0 / 1024.0;
    }
}
