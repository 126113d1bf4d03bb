using System.Collections.Concurrent;
using System.Diagnostics;

namespace Backchannel.Bench;

/// <summary>
/// Projection lag under load: the time from a SendMessage's acknowledgment to the message appearing in the other
/// member's pushed view (the push feed, an async projection), at 50% and 80% of the maximum throughput measured first.
/// The inbox and thread views are inline: a 201 means they already hold the message, so their lag is zero by design.
/// </summary>
public static class ProjectionLag
{
    public static async Task RunAsync(Args args)
    {
        var clients = args.Int("--clients", 16);
        var seconds = args.Int("--seconds", 15);
        var listeners = args.Int("--listeners", 32);
        await using var host = await BenchHost.StartAsync();
        var pairs = await Pair.StartAsync(host, args.Int("--conversations", 256), $"lag{Guid.NewGuid():N}"[..11]);
        var load = new MessageLoad(host, pairs, clients);
        await load.RunAsync(TimeSpan.FromSeconds(3));
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
        foreach (var share in new[] { 0.5, 0.8 })
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
            var samples = await timed.RunAsync(TimeSpan.FromSeconds(seconds), share * maximum);
            var achieved = samples.Succeeded / clock.Elapsed.TotalSeconds;
            var lags = await Task.WhenAll(delays);
            Console.WriteLine($"lag at {share:P0} of maximum ({achieved:F0} messages/s achieved, {lags.Length} timed): " +
                              $"p50 {Stats.Percentile(lags, 0.5):F0} ms, p99 {Stats.Percentile(lags, 0.99):F0} ms, max {lags.Max():F0} ms" +
                              (share == 0.5 ? " (target p99 <= 100 ms)" : ""));
        }
        foreach (var stream in streams.Values) await stream.DisposeAsync();
    }
}
