using System.Diagnostics;
using Backchannel.Domain.Common;
using Backchannel.Projections.Privacy;

namespace Backchannel.Host.Auth;

/// <summary>
/// Whether a handle is erased, asked by every authenticated request, answered for the requests that arrive together in
/// one read: while a read is in flight, the checks that arrive meanwhile wait and go into the next read, all at once (a
/// lone request is read at once, as before). A check is only ever answered by a read that started after it arrived, so
/// an erasure recorded before a request arrives refuses it, exactly as a read of its own would. A read held up (a
/// connection that stalls) does not hold up every sign-in: a check that arrives when every read in flight has run for
/// <c>stallAfter</c> starts a read beside them, for itself and all who wait (up to <c>readsAtOnce</c> in flight).
/// </summary>
/// <param name="readErased">Reads which of the handles are erased, in one round trip.</param>
/// <param name="readsAtOnce">How many reads may be in flight at once.</param>
/// <param name="stallAfter">How long the reads in flight may run before waiting checks read beside them (<see cref="DefaultStallAfter"/>).</param>
public sealed class ErasureChecks(
    Func<IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlySet<string>>> readErased, int readsAtOnce = 2, TimeSpan? stallAfter = null)
{
    /// <summary>How long reads in flight may run, by default, before the checks waiting read beside them.</summary>
    public static readonly TimeSpan DefaultStallAfter = TimeSpan.FromSeconds(1);

    private readonly int _readsAtOnce = readsAtOnce >= 1 ? readsAtOnce
        : throw new ArgumentOutOfRangeException(nameof(readsAtOnce), readsAtOnce, "At least one read must be allowed.");
    private readonly TimeSpan _stallAfter = stallAfter ?? DefaultStallAfter;
    private readonly Lock _gate = new();
    private List<(string Handle, TaskCompletionSource<bool> Answer)> _waiting = [];
    /// <summary>Loops reading (each reads, then reads again for those who arrived meanwhile, until none waits).</summary>
    private int _reading;
    /// <summary>When each read now in flight started.</summary>
    private readonly List<long> _readsStarted = [];

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
        lock (_gate) _waiting.Add((handle, answer));
        StartReadingIfDue();
        return answer.Task.WaitAsync(ct);
    }

    /// <summary>Starts a loop reading when checks wait and none reads, or all reads in flight have run for <see cref="_stallAfter"/>.</summary>
    private void StartReadingIfDue()
    {
        lock (_gate)
        {
            var due = _waiting.Count > 0 && (_reading == 0 || (_reading < _readsAtOnce && _readsStarted.TrueForAll(started => Stopwatch.GetElapsedTime(started) >= _stallAfter)));
            if (!due) return;
            _reading++;
        }
        // The loop answers whoever arrives while it runs, so it must not carry this request's context (its trace,
        // its scope) into the reads it makes for later ones.
        using (ExecutionContext.SuppressFlow()) _ = ReadWhileWaitingAsync();
    }

    /// <summary>Reads for the checks waiting, then for those that arrived during that read, until none waits.</summary>
    private async Task ReadWhileWaitingAsync()
    {
        while (true)
        {
            List<(string Handle, TaskCompletionSource<bool> Answer)> batch;
            var started = Stopwatch.GetTimestamp();
            lock (_gate)
            {
                if (_waiting.Count == 0)
                {
                    _reading--;
                    return;
                }
                batch = _waiting;
                _waiting = [];
                _readsStarted.Add(started);
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
            finally
            {
                lock (_gate) _readsStarted.Remove(started);
            }
        }
    }
}
