using System.Diagnostics;
using System.Text.Json;

namespace Backchannel.Bench;

/// <summary>One run of wrk, the load generator in a process of its own: what it counted, latencies in milliseconds.</summary>
public sealed record WrkResult(int Clients, double Seconds, long Requests, long Failed, long SocketErrors, double P50, double P90, double P99, double Max)
{
    /// <summary>Acknowledged messages per second: answers below 400 (wrk counts the others as failed).</summary>
    public double Rate => (Requests - Failed) / Seconds;
}

/// <summary>Runs wrk with bench/wrk/send-message.lua against a target: <c>clients</c> connections, each a closed loop.</summary>
public static class Wrk
{
    public static async Task<WrkResult> RunAsync(Uri address, int clients, int seconds, string conversations, string tag)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "wrk", "send-message.lua");
        // Two threads at most: the machine has two cores, shared with the target and PostgreSQL.
        var start = new ProcessStartInfo("wrk",
        [
            "-t", Math.Min(clients, 2).ToString(), "-c", clients.ToString(), "-d", $"{seconds}s", "--timeout", "30s",
            "-s", script, address.ToString().TrimEnd('/'), "--", conversations, tag,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start: bench/run.sh installs it");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("wrk-result "));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {await errors}{await output}");
        var r = JsonDocument.Parse(line["wrk-result ".Length..]).RootElement;
        long Count(string name) => r.GetProperty(name).GetInt64();
        double Ms(string name) => r.GetProperty(name).GetInt64() / 1000.0;
        return new WrkResult(clients, Count("durationUs") / 1e6, Count("requests"), Count("failed"),
            Count("connect") + Count("read") + Count("write") + Count("timeout"), Ms("p50Us"), Ms("p90Us"), Ms("p99Us"), Ms("maxUs"));
    }

    /// <summary>The conversations file the script reads: id, the caller's header, its value for each member.</summary>
    public static async Task<string> WriteConversationsAsync(TargetProcess target, IReadOnlyList<Pair> pairs, string path)
    {
        await File.WriteAllLinesAsync(path, pairs.Select(p =>
            $"{p.ConversationId}\t{target.CallerHeader}\t{target.CallerValue(p.First)}\t{target.CallerValue(p.Second)}"));
        return path;
    }
}
