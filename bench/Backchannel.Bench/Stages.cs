using System.Collections.Concurrent;
using System.Diagnostics;

namespace Backchannel.Bench;

/// <summary>
/// Timings by stage: listens to every activity the host's libraries emit (ASP.NET Core, Wolverine, Marten, Npgsql) and
/// totals their durations by name, to see where a command's time goes. Opt-in (<c>--stages</c>): listening costs.
/// </summary>
public sealed class Stages : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentDictionary<string, (long Count, double Milliseconds)> _totals = new();

    public Stages()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = a => _totals.AddOrUpdate($"{a.Source.Name}: {Name(a)}", (1, a.Duration.TotalMilliseconds),
                (_, t) => (t.Count + 1, t.Milliseconds + a.Duration.TotalMilliseconds)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public static Stages? FromArgs(Args args) => args.Has("--stages") ? new Stages() : null;

    /// <summary>A database command by the start of its SQL; anything else by its display name.</summary>
    private static string Name(Activity a)
    {
        if (a.Source.Name != "Npgsql") return a.DisplayName;
        var sql = (a.GetTagItem("db.query.text") ?? a.GetTagItem("db.statement"))?.ToString() ?? a.DisplayName;
        return sql.Length <= 90 ? sql : sql[..90];
    }

    /// <summary>Prints each stage's count and mean, per <paramref name="commands"/> commands, the costliest first.</summary>
    public void Print(int commands)
    {
        Console.WriteLine($"stages per command ({commands} commands): calls, mean ms, ms per command");
        foreach (var (name, (count, ms)) in _totals.OrderByDescending(t => t.Value.Milliseconds).Take(30))
            Console.WriteLine($"  {count / (double)commands,6:F2} x {ms / count,7:F3} ms = {ms / commands,7:F3} ms  {name}");
    }

    public void Dispose() => _listener.Dispose();
}
