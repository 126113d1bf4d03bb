using Backchannel.Projections;
using System.Diagnostics;
using System.Net;
using Backchannel.Host;
using Shouldly;
using Xunit.Abstractions;

namespace Backchannel.Specs.Faults;

/// <summary>
/// The host SIGKILLed in the middle of a write load, then started again: nothing acknowledged is lost, and the async
/// views resume where they were and catch up without skipping an event.
/// </summary>
[Trait("Category", "Fault")]
[Collection(FaultCollection.Name)]
public sealed class KillSpecs(ITestOutputHelper output)
{
    private const int Writers = 16;

    [Fact]
    public async Task a_host_killed_under_load_loses_no_acknowledged_write_and_its_views_converge_after_restart()
    {
        var db = await FaultDatabase.RecreateAsync("backchannel_faults_kill");
        MessageLoad load;
        var node = HostProcess.Start("node", db, DaemonChoice.Solo);
        await using (node)
        {
            await node.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
            load = await MessageLoad.PrepareAsync(node.BaseAddress, Writers, "k");
            using var stop = new CancellationTokenSource();
            var running = load.RunAsync(stop.Token);
            await Poll.UntilAsync(() => load.Acknowledged.Count >= 300, TimeSpan.FromSeconds(60), "300 acknowledged messages");

            node.Kill();
            var acknowledgedBeforeKill = load.Acknowledged.Count;
            await Task.Delay(500); // the writers' requests in flight fail now; nothing answered after the kill
            stop.Cancel();
            await running;
            output.WriteLine($"killed after {acknowledgedBeforeKill} acknowledged messages; tries: {load.Summary}");
        }

        var clock = Stopwatch.StartNew();
        await using var restarted = HostProcess.Start("restarted", db, DaemonChoice.Solo);
        await restarted.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        var up = clock.Elapsed;
        var lastEvent = await FaultDatabase.ScalarAsync<long>(db, $"select max(seq_id) from {FaultDatabase.Schema}.mt_events");
        using var probe = new ApiUser("khub", restarted.BaseAddress);
        var health = await Poll.UntilAsync(probe.HealthAsync,
            h => h.Projections.Count == FaultDatabase.AsyncViews && h.Projections.All(p => p.Behind == 0 && p.Sequence >= lastEvent),
            TimeSpan.FromSeconds(60), "every async view caught up after the restart");
        output.WriteLine($"restarted: healthy after {up.TotalSeconds:0.0} s, every view caught up after {clock.Elapsed.TotalSeconds:0.0} s " +
                         $"({string.Join(", ", health.Projections.Select(p => $"{p.Name} {p.Sequence}"))}, last event {lastEvent})");

        // Writes flow again, and the views follow them.
        var after = await MessageLoad.PrepareAsync(restarted.BaseAddress, 2, "k2");
        using (var stopAfter = new CancellationTokenSource(TimeSpan.FromSeconds(1))) await after.RunAsync(stopAfter.Token);
        after.Acknowledged.ShouldNotBeEmpty(after.Summary);
        var lastAfter = await FaultDatabase.ScalarAsync<long>(db, $"select max(seq_id) from {FaultDatabase.Schema}.mt_events");
        lastAfter.ShouldBeGreaterThan(lastEvent);
        await Poll.UntilAsync(probe.HealthAsync, h => h.Projections.All(p => p.Behind == 0 && p.Sequence >= lastAfter),
            TimeSpan.FromSeconds(30), "the views following new writes");
        restarted.Kill();

        await StoreInvariants.AcknowledgedMessagesHoldAsync(db, load.Acknowledged.Concat(after.Acknowledged).ToList());
    }
}
