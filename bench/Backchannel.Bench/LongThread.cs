using System.Diagnostics;
using System.Net.Http.Json;

namespace Backchannel.Bench;

/// <summary>
/// Write cost as a thread grows: one client sends messages one at a time into one conversation, and the SendMessage
/// latency is reported per window of the thread's length. A command's cost should not grow with its thread.
/// </summary>
public static class LongThread
{
    public static async Task RunAsync(Args args)
    {
        var length = args.Int("--messages", 5000);
        var window = args.Int("--window", 200);
        await using var host = await BenchHost.StartAsync();
        var pair = (await Pair.StartAsync(host, 1, $"long{Guid.NewGuid():N}"[..12]))[0];
        using var http = host.Client(pair.First);
        var windows = new List<string>();
        var samples = new List<double>();
        for (var sequence = 2; sequence <= length; sequence++)
        {
            var started = Stopwatch.GetTimestamp();
            (await http.PostAsJsonAsync($"/conversations/{pair.ConversationId}/messages", new { text = $"message {sequence}" })).EnsureSuccessStatusCode();
            samples.Add(Stats.Elapsed(started));
            if (sequence % window != 0) continue;
            windows.Add($"{sequence - window + 1}-{sequence}: p50 {Stats.Percentile(samples, 0.5):F2} ms");
            samples.Clear();
        }
        Console.WriteLine($"long thread: SendMessage latency by thread length, one client: {windows[0]}; {windows[windows.Count / 2]}; {windows[^1]}");
    }
}
