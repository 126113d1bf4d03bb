using Backchannel.Domain.Common;
using Backchannel.Projections.Privacy;

namespace Backchannel.Host.Auth;

/// <summary>
/// Whether a handle is erased, asked by every authenticated request, answered for the requests that arrive together in
/// one read: while the reads allowed are in flight, the checks that arrive meanwhile wait and go into the next read, all
/// at once (a lone request is read at once, as before). A check is only ever answered by a read that started after it
/// arrived, so an erasure recorded before a request arrives refuses it, exactly as a read of its own would. More than
/// one read may be in flight, so that one read held up (a connection that stalls) does not hold up every sign-in.
/// </summary>
/// <param name="readErased">Reads which of the handles are erased, in one round trip.</param>
/// <param name="readsAtOnce">How many reads may be in flight at once.</param>
public sealed class ErasureChecks(Func<IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlySet<string>>> readErased, int readsAtOnce = 2)
{
    private readonly int _readsAtOnce = readsAtOnce >= 1 ? readsAtOnce
        : throw new ArgumentOutOfRangeException(nameof(readsAtOnce), readsAtOnce, "At least one read must be allowed.");
    private readonly Lock _gate = new();
    private List<(string Handle, TaskCompletionSource<bool> Answer)> _waiting = [];
    private int _reading;

    /// <summary>Checks read from <paramref name="store"/>.</summary>
    public static ErasureChecks Reading(IBackchannelStore store) => new(async (handles, ct) =>
    {
        await using var session = store.QuerySession();
        return await session.ErasedAmongAsync(handles, ct);
    });

    /// <summary>How many reads have been made: each answered every check waiting when it started.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    private long _reads;

    /// <summary>Whether <paramref name="handle"/> is erased (or its erasure is under way), as of a read that starts after this call.</summary>
    public Task<bool> IsErasedAsync(string handle, CancellationToken ct)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (_gate)
        {
            _waiting.Add((handle, answer));
            start = _reading < _readsAtOnce;
            if (start) _reading++;
        }
        if (start)
        {
            // The loop answers whoever arrives while it runs, so it must not carry this request's context (its trace,
            // its scope) into the reads it makes for later ones.
            using (ExecutionContext.SuppressFlow()) _ = ReadWhileWaitingAsync();
        }
        return answer.Task.WaitAsync(ct);
    }

    /// <summary>Reads for the checks waiting, then for those that arrived during that read, until none waits.</summary>
    private async Task ReadWhileWaitingAsync()
    {
        while (true)
        {
            List<(string Handle, TaskCompletionSource<bool> Answer)> batch;
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _reading--;
                    return;
                }
                batch = _waiting;
                _waiting = [];
            }
            Interlocked.Increment(ref _reads);
            try
            {
                // Not any one caller's cancellation: the read answers them all (each stops waiting on its own).
                var erased = await readErased(batch.Select(b => b.Handle).Distinct().ToList(), CancellationToken.None);
                foreach (var (handle, answer) in batch) answer.TrySetResult(erased.Contains(handle));
            }
            catch (Exception e)
            {
                foreach (var (_, answer) in batch) answer.TrySetException(e);
            }
        }
    }
}
