using Backchannel.Projections;
using System.Diagnostics;
using Backchannel.Host;
using Shouldly;
using Xunit.Abstractions;

namespace Backchannel.Specs.Faults;

/// <summary>
/// Two <c>Distributed</c> nodes on one database, Wolverine assigning the async views: SIGKILL the node that runs
/// them, and the survivor takes them over while writes through it keep flowing. Prints the takeover time.
/// </summary>
[Collection(FaultCollection.Name)]
public sealed class TakeoverSpecs(ITestOutputHelper output)
{
    /// <summary>Shortened cluster timings (Backchannel:Cluster), so a dead node is noticed in seconds, not a minute.</summary>
    private static readonly Dictionary<string, string> Cluster = new()
    {
        ["Backchannel__Cluster__HealthCheckPolling"] = "00:00:01",
        ["Backchannel__Cluster__FirstHealthCheck"] = "00:00:01",
        ["Backchannel__Cluster__StaleNodeTimeout"] = "00:00:05",
        ["Backchannel__Cluster__CheckAssignmentPeriod"] = "00:00:02",
    };

    [Fact]
    [Trait("Category", "Fault")]
    public Task the_survivor_of_two_nodes_takes_over_the_views_of_the_one_killed() => TakeOverAsync(Cluster, TimeSpan.FromSeconds(60));

    /// <summary>The same with Wolverine's default timings: measures what an unconfigured cluster gives (about 80 s).</summary>
    [Fact]
    [Trait("Category", "LongFault")]
    public Task with_wolverines_default_timings_the_survivor_takes_over_too() => TakeOverAsync(null, TimeSpan.FromSeconds(240));

    private async Task TakeOverAsync(Dictionary<string, string>? cluster, TimeSpan patience)
    {
        var db = await FaultDatabase.RecreateAsync("backchannel_faults_nodes");
        var clock = Stopwatch.StartNew();
        await using var first = HostProcess.Start("first", db, DaemonChoice.Distributed, cluster);
        await first.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));
        await using var second = HostProcess.Start("second", db, DaemonChoice.Distributed, cluster);
        await second.WaitUntilHealthyAsync(TimeSpan.FromSeconds(90));

        var load = await MessageLoad.PrepareAsync(second.BaseAddress, 4, "n");
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        using var probe = new ApiUser("nhub", second.BaseAddress);
        await CaughtUpAsync(db, probe, patience, "the views first assigned and caught up");
        output.WriteLine($"views first assigned and caught up {clock.Elapsed.TotalSeconds:0.0} s after the first node started");

        var assignments = await AssignmentsAsync(db);
        output.WriteLine($"assignments before the kill: {string.Join("; ", assignments.Select(a => $"{a.Agent} on node {a.Node}"))}");
        var views = assignments.Where(a => a.Agent.StartsWith("event-subscriptions:", StringComparison.Ordinal)).ToList();
        views.Count.ShouldBe(FaultDatabase.AsyncViews, "each async view (the two audits, the moderation audit, the push feed) runs on one node");
        // Kill the node that runs the views (they may be split: then the one with more of them).
        var victimNode = views.GroupBy(a => a.Node).OrderByDescending(g => g.Count()).First().Key;
        // The nodes in the order they started: the first process registered first (the second started after it was healthy).
        var nodes = await NodesAsync(db);
        nodes.Count.ShouldBe(2);
        var (victim, survivor) = nodes[0] == victimNode ? (first, second) : (second, first);
        output.WriteLine($"killing {victim.Name} (pid {victim.Pid}), node {victimNode}");

        // Writes go through the survivor only from here on.
        stop.Cancel();
        await running;
        var survivorLoad = await MessageLoad.PrepareAsync(survivor.BaseAddress, 4, "s");
        using var stopSurvivor = new CancellationTokenSource();
        var survivorRunning = survivorLoad.RunAsync(stopSurvivor.Token);
        using var survivorProbe = new ApiUser("shub", survivor.BaseAddress);

        var killed = Stopwatch.StartNew();
        victim.Kill();
        await Poll.UntilAsync(() => survivorLoad.Acknowledged.Count >= 20, TimeSpan.FromSeconds(30), "writes through the survivor");
        var takenOver = await Poll.UntilAsync(() => AssignmentsAsync(db),
            a => a.Count(x => x.Agent.StartsWith("event-subscriptions:", StringComparison.Ordinal) && x.Node != victimNode) == FaultDatabase.AsyncViews,
            patience, "every view assigned to the survivor");
        var reassignedAfter = killed.Elapsed;
        await CaughtUpAsync(db, survivorProbe, TimeSpan.FromSeconds(60), "the survivor's views catching up with the writes");
        var caughtUpAfter = killed.Elapsed;
        var acknowledgedDuringTakeover = survivorLoad.Acknowledged.Count;
        output.WriteLine($"takeover: views reassigned {reassignedAfter.TotalSeconds:0.0} s after the kill, caught up after " +
                         $"{caughtUpAfter.TotalSeconds:0.0} s; {acknowledgedDuringTakeover} writes acknowledged through the survivor meanwhile " +
                         $"({survivorLoad.Summary}); {string.Join("; ", takenOver.Select(a => $"{a.Agent} on node {a.Node}"))}");
        stopSurvivor.Cancel();
        await survivorRunning;
        survivorLoad.Outcomes.Keys.ShouldBe(["201"], ignoreOrder: true, $"every write through the survivor succeeds: {survivorLoad.Summary}");
        await CaughtUpAsync(db, survivorProbe, TimeSpan.FromSeconds(30), "the views following the last writes");
        survivor.Kill();

        await StoreInvariants.AcknowledgedMessagesHoldAsync(db, load.Acknowledged.Concat(survivorLoad.Acknowledged).ToList());
    }

    private static async Task CaughtUpAsync(string db, ApiUser probe, TimeSpan patience, string what)
    {
        var last = await FaultDatabase.ScalarAsync<long>(db, $"select max(seq_id) from {FaultDatabase.Schema}.mt_events");
        await Poll.UntilAsync(probe.HealthAsync, h => h.Projections.Count == FaultDatabase.AsyncViews && h.Projections.All(p => p.Sequence >= last), patience, what);
    }

    private sealed record Assignment(string Agent, Guid Node);

    private static async Task<List<Assignment>> AssignmentsAsync(string db)
    {
        var table = await WolverineTableAsync(db, "wolverine_node_assignments");
        return await FaultDatabase.ListAsync(db, $"select id, node_id from {table}", r => new Assignment(r.GetString(0), r.GetGuid(1)));
    }

    private static async Task<List<Guid>> NodesAsync(string db)
    {
        var table = await WolverineTableAsync(db, "wolverine_nodes");
        return await FaultDatabase.ListAsync(db, $"select id from {table} order by started", r => r.GetGuid(0));
    }

    private static async Task<string> WolverineTableAsync(string db, string name) =>
        await FaultDatabase.ScalarAsync<string>(db,
            $"select table_schema || '.' || table_name from information_schema.tables where table_name = '{name}' limit 1");
}
