namespace Backchannel.Specs.Support;

/// <summary>
/// The host's clock: the system's, unless a spec sets it, so that two runs of one history decide at the same times
/// (their views and answers then differ only where the history does). Only the time read is set; timers still run on
/// the system's, so nothing that waits is frozen with it.
/// </summary>
public sealed class SpecClock : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset? _set;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return _set ?? base.GetUtcNow();
    }

    /// <summary>From now on the clock reads <paramref name="at"/> until it is moved or released.</summary>
    public void Set(DateTimeOffset at)
    {
        lock (_gate) _set = at;
    }

    /// <summary>Moves a set clock on.</summary>
    public void Advance(TimeSpan by)
    {
        lock (_gate) _set = (_set ?? throw new InvalidOperationException("Set the clock before moving it.")) + by;
    }

    /// <summary>Back to the system's time.</summary>
    public void Release()
    {
        lock (_gate) _set = null;
    }
}
