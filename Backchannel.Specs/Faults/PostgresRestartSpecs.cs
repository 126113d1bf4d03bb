using Backchannel.Projections;
using System.Diagnostics;
using Backchannel.Host;
using Shouldly;
using Xunit.Abstractions;

namespace Backchannel.Specs.Faults;

/// <summary>
/// PostgreSQL stopped and started again under a write load, the host left running: every command in the outage is a
/// clean 503 ProblemDetails with Retry-After, the host recovers by itself, nothing is half-applied.
/// </summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class PostgresRestartSpecs(ITestOutputHelper output)
{
    private const int Writers = 8;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task a_database_restart_under_load_is_503_while_it_lasts_and_the_host_recovers_by_itself()
    {
        var db = await FaultDatabase.RecreateAsync("backchannel_faults_pg");
        await using var node = HostProcess.Start("node", db, DaemonChoice.Solo);
        await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        var load = await MessageLoad.PrepareAsync(node.BaseAddress, Writers, "p");
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Poll.UntilAsync(() => load.Acknowledged.Count >= 150, TimeSpan.FromSeconds(60), "150 acknowledged messages");

        var clock = Stopwatch.StartNew();
        int acknowledgedAtStop, refusedInOutage;
        try
        {
            await Cluster.RunAsync("stop", "-m", "fast");
            acknowledgedAtStop = load.Acknowledged.Count;
            await Task.Delay(Outage); // the outage itself, not an assertion
            refusedInOutage = load.Outcomes.GetValueOrDefault("503");
        }
        finally
        {
            await Cluster.RunAsync("start"); // whatever happened, the server is left running
        }
        var started = DateTimeOffset.UtcNow;
        var down = clock.Elapsed;
        await Poll.UntilAsync(() => load.LastAcknowledgedAt > started, TimeSpan.FromSeconds(60), "a write acknowledged after the restart");
        var recovered = clock.Elapsed - down;
        await Poll.UntilAsync(() => load.Acknowledged.Count >= acknowledgedAtStop + 100, TimeSpan.FromSeconds(30), "100 more writes after the restart");
        stop.Cancel();
        await running;
        output.WriteLine($"database down {down.TotalSeconds:0.0} s; first write acknowledged {recovered.TotalSeconds:0.0} s after it was back; " +
                         $"{refusedInOutage} refused (503) during the outage; tries: {load.Summary}");

        node.Exited.ShouldBeFalse("the host survives the outage");
        load.Outcomes.Keys.Where(o => o is not ("201" or "503")).ShouldBeEmpty($"only 201 or 503, never a 500 or a hang: {load.Summary}");
        load.Outcomes.GetValueOrDefault("503").ShouldBeGreaterThan(0, "the outage was seen");
        load.MalformedRefusals.Take(3).ShouldBeEmpty("every 503 is ProblemDetails database_unavailable with Retry-After");

        var lastEvent = await FaultDatabase.ScalarAsync<long>(db, $"select max(seq_id) from {FaultDatabase.Schema}.mt_events");
        using var probe = new ApiUser("phub", node.BaseAddress);
        await Poll.UntilAsync(probe.HealthAsync, h => h.Projections.Count == FaultDatabase.AsyncViews && h.Projections.All(p => p.Behind == 0 && p.Sequence >= lastEvent),
            TimeSpan.FromSeconds(60), "the daemon resuming by itself and catching up");
        node.Kill();

        var stored = await StoreInvariants.AcknowledgedMessagesHoldAsync(db, load.Acknowledged.ToList());
        // Retried with their own ids, even a message whose commit succeeded but whose answer was lost is stored once:
        // exactly what was acknowledged, plus one opening message per writer's conversation.
        stored.Count.ShouldBe(load.Acknowledged.Count + Writers, "messages stored beyond those acknowledged");
    }
}

/// <summary>The local PostgreSQL cluster, driven with Debian's <c>pg_ctlcluster</c> (the fault specs run as root, like CI).</summary>
public static class Cluster
{
    public static async Task RunAsync(params string[] action)
    {
        var version = (await Run("pg_lsclusters", "-h")).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .First(c => c[1] == "main")[0];
        await Run("pg_ctlcluster", [version, "main", .. action]);
    }

    private static async Task<string> Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"{file} {string.Join(' ', args)}: {stderr}");
        return stdout;
    }
}
