using Backchannel.Domain.Common;

namespace Backchannel.Projections.Push;

/// <summary>Why a push stream was not opened: the caller holds too many, or the node does.</summary>
public enum PushRefusal
{
    /// <summary>The user already holds <see cref="BackchannelSettings.PushStreamsPerUser"/> streams on this node.</summary>
    TooManyStreams,

    /// <summary>The node already holds <see cref="BackchannelSettings.PushStreamsPerNode"/> streams, all users together.</summary>
    NodeFull,
}

/// <summary>
/// Bounds the push streams a node holds open, per user and in all: a stream takes a slot before it reads or holds
/// anything, and gives it back when it ends however it ends. Counted in memory per node, since what a stream costs
/// (a socket, a buffer, a place in the fan-out) is the node's.
/// </summary>
public sealed class PushStreamSlots(BackchannelSettings settings)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _byUser = new(StringComparer.Ordinal);
    private int _open;
    private TaskCompletionSource _freed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Diagnostics: completes the next time a stream ends and frees its slot.</summary>
    public Task Freed => Volatile.Read(ref _freed).Task;

    /// <summary>How many streams this node holds open now.</summary>
    public int Open
    {
        get
        {
            lock (_lock) return _open;
        }
    }

    /// <summary>How many streams <paramref name="userId"/> holds open on this node now.</summary>
    public int OpenFor(string userId)
    {
        lock (_lock) return _byUser.GetValueOrDefault(userId);
    }

    /// <summary>Takes a slot for <paramref name="userId"/>; null (and why) when a cap is reached. Dispose the slot to free it.</summary>
    public IDisposable? TryTake(string userId, out PushRefusal refusal)
    {
        lock (_lock)
        {
            var held = _byUser.GetValueOrDefault(userId);
            if (held >= settings.PushStreamsPerUser)
            {
                refusal = PushRefusal.TooManyStreams;
                return null;
            }
            if (_open >= settings.PushStreamsPerNode)
            {
                refusal = PushRefusal.NodeFull;
                return null;
            }
            _byUser[userId] = held + 1;
            _open++;
        }
        BackchannelTelemetry.PushStreamChanged(+1);
        refusal = default;
        return new Slot(this, userId);
    }

    private void Free(string userId)
    {
        TaskCompletionSource freed;
        lock (_lock)
        {
            _open--;
            if (--_byUser[userId] == 0) _byUser.Remove(userId);
            freed = _freed;
            _freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        BackchannelTelemetry.PushStreamChanged(-1);
        freed.TrySetResult();
    }

    private sealed class Slot(PushStreamSlots slots, string userId) : IDisposable
    {
        private int _freed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _freed, 1) == 0) slots.Free(userId);
        }
    }
}
