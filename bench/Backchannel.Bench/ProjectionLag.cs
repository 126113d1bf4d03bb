using System.Collections.Concurrent;
using System.Diagnostics;

namespace Backchannel.Bench;

/// <summary>The push lag at half and at four fifths of the maximum, medians of rounds, in milliseconds.</summary>
public sealed record LagResult(double Maximum, double AchievedAt50, double P50At50, double P99At50, double AchievedAt80, double P50At80, double P99At80);

/// <summary>
/// Projection lag under load: the time from a SendMessage's acknowledgment to the message appearing in the other
/// member's pushed view (the push feed, an async projection), at 50% and 80% of the maximum throughput measured first.
/// The inbox and thread views are inline: a 201 means they already hold the message, so their lag is zero by design.
/// </summary>
public static class ProjectionLag
{
    public static async Task RunAsync(Args args)
    {
        await using var host = await BenchHost.StartAsync();
        var pairs = await Pair.StartAsync(host, args.Int("--conversations", 256), $"lag{Guid.NewGuid():N}"[..11]);
        await MeasureAsync(host, pairs, args.Int("--clients", 16), args.Int("--seconds", 15), args.Int("--listeners", 64),
            args.Int("--rounds", 3), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Against any host, in this process or in its own: the senders and the listeners are this process's clients.
    /// </summary>
    public static async Task<LagResult> MeasureAsync(IBackchannelHttp host, IReadOnlyList<Pair> pairs, int clients, int seconds,
        int listeners, int rounds, TimeSpan warmUp)
    {
        var load = new MessageLoad(host, pairs, clients);
        await load.RunAsync(warmUp); // tiered JIT, generated code, pools
        var maximum = (await load.RunAsync(TimeSpan.FromSeconds(seconds))).Succeeded / (double)seconds;
        Console.WriteLine($"maximum: {maximum:F0} messages/s (closed loop, {clients} clients)");

        // Both members of the first conversations listen; each message to one of them is timed at the other member.
        var watched = pairs.Take(listeners / 2).ToList();
        var streams = new Dictionary<string, PushListener>();
        foreach (var pair in watched)
        {
            streams[pair.First] = await PushListener.OpenAsync(host, pair.First);
            streams[pair.Second] = await PushListener.OpenAsync(host, pair.Second);
        }
        var results = new List<(double Achieved, double P50, double P99)>();
        foreach (var share in new[] { 0.5, 0.8 })
        {
            var (achieved, p50s, p99s) = (new List<double>(), new List<double>(), new List<double>());
            for (var round = 1; round <= rounds; round++)
            {
                var (rate, lags) = await MeasureAsync(host, pairs, clients, streams, share * maximum, TimeSpan.FromSeconds(seconds));
                achieved.Add(rate);
                p50s.Add(Stats.Percentile(lags, 0.5));
                p99s.Add(Stats.Percentile(lags, 0.99));
                Console.WriteLine($"round {round} at {share:P0} of maximum ({rate:F0} messages/s achieved, {lags.Length} timed): " +
                                  $"p50 {p50s[^1]:F0} ms, p99 {p99s[^1]:F0} ms, max {(lags.Length == 0 ? double.NaN : lags.Max()):F0} ms");
            }
            Console.WriteLine($"lag at {share:P0} of maximum: median of {rounds} rounds: p50 {Stats.Median(p50s):F0} ms, p99 {Stats.Median(p99s):F0} ms" +
                              " (target p99 <= 100 ms)");
            results.Add((Stats.Median(achieved), Stats.Median(p50s), Stats.Median(p99s)));
        }
        foreach (var stream in streams.Values) await stream.DisposeAsync();
        return new LagResult(maximum, results[0].Achieved, results[0].P50, results[0].P99, results[1].Achieved, results[1].P50, results[1].P99);
    }

    /// <summary>Sends at <paramref name="rate"/> for <paramref name="duration"/>; times each message to a listening member.</summary>
    private static async Task<(double Achieved, double[] Lags)> MeasureAsync(IBackchannelHttp host, IReadOnlyList<Pair> pairs, int clients,
        IReadOnlyDictionary<string, PushListener> streams, double rate, TimeSpan duration)
    {
        var delays = new ConcurrentBag<Task<double>>();
        var timed = new MessageLoad(host, pairs, clients)
        {
            Acknowledged = (pair, author, messageId, acknowledged) =>
            {
                if (!streams.ContainsKey(author)) return;
                var other = author == pair.First ? pair.Second : pair.First;
                delays.Add(streams[other].ArrivalOf(messageId).WaitAsync(TimeSpan.FromSeconds(60))
                    .ContinueWith(arrived => PushListener.Delay(acknowledged, arrived.Result), TaskContinuationOptions.OnlyOnRanToCompletion));
            },
        };
        var clock = Stopwatch.StartNew();
        var samples = await timed.RunAsync(duration, rate);
        var achieved = samples.Succeeded / clock.Elapsed.TotalSeconds;
        return (achieved, await Task.WhenAll(delays));
    }
}
