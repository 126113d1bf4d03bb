namespace Backchannel.Specs.Support;

/// <summary>
/// The host's clock: the system's, unless a spec sets it. A spec that runs one history twice sets it to the same
/// instant before each run and moves it by the same steps, so both runs stamp their events with the same times.
/// Timers stay the system's.
/// </summary>
public sealed class SpecClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _now;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _now ?? System.GetUtcNow();
    }

    /// <summary>Stops the clock at <paramref name="now"/>.</summary>
    public void Set(DateTimeOffset now)
    {
        lock (_gate) _now = now;
    }

    /// <summary>Moves a stopped clock on by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate) _now = (_now ?? throw new InvalidOperationException("Set the clock before moving it.")) + by;
    }

    /// <summary>Back to the system's time.</summary>
    public void Release()
    {
        lock (_gate) _now = null;
    }
}
