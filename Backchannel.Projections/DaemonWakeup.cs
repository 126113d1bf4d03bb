using JasperFx.Events.Daemon.HighWater;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Backchannel.Projections;

/// <summary>
/// Wakes this node's daemon when any node commits events (PostgreSQL <c>LISTEN/NOTIFY</c>, sent by
/// <see cref="NotifyOnAppend"/>), gathering the commits of a busy moment into one look. A commit after a quiet spell wakes
/// the daemon at once; within <c>gathering</c> of the last wake, the daemon waits out the rest of it, so under load it
/// reads pages of many commits (each look costs a read and a progress write per async view) instead of one per commit.
/// Without a listening connection (the database away) it falls back to the polling period, and it listens again on the
/// next wait.
/// </summary>
internal sealed class DaemonWakeup(NpgsqlDataSource dataSource, string channel, TimeSpan gathering, TimeProvider clock, ILogger<DaemonWakeup> logger)
    : IDaemonWakeup, IAsyncDisposable
{
    /// <summary>
    /// The channel of one store's commits: the stores of other schemas in the database do not wake this one. A name
    /// longer than PostgreSQL's 63 bytes is cut (two schemas that share a long prefix then wake each other, which costs
    /// only a look).
    /// </summary>
    internal static string ChannelOf(string schema)
    {
        const string suffix = "_events_appended";
        var name = schema.ToLowerInvariant();
        while (System.Text.Encoding.UTF8.GetByteCount(name + suffix) > 63) name = name[..^1];
        return name + suffix;
    }

    internal static string Quoted(string channel) => $"\"{channel.Replace("\"", "\"\"")}\"";

    /// <summary>The backend that listens, while one does (for the fault specs).</summary>
    internal int? ListeningProcess => Volatile.Read(ref _connection)?.ProcessID;

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly CancellationTokenSource _lifetime = new();
    private TaskCompletionSource _signal = NewSignal();
    private NpgsqlConnection? _connection;
    private Task _receiving = Task.CompletedTask;
    private long _lastWake = long.MinValue;

    /// <summary>How many notifications this node has received (for the specs).</summary>
    internal long Notifications => Interlocked.Read(ref _notifications);

    private long _notifications;

    public async Task WaitAsync(TimeSpan timeout, CancellationToken token)
    {
        try
        {
            await ListenAsync(token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
        {
            // The daemon's loop does not survive a throw here: poll until the database is back.
            logger.LogWarning(e, "Not listening on {Channel}; the daemon polls every {Timeout} until the database answers", channel, timeout);
            await Task.Delay(timeout, clock, token);
            return;
        }

        // Not drained on entry: a commit notified while the daemon worked is one it may not have seen.
        var signal = Volatile.Read(ref _signal);
        bool woken;
        using (var poll = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            woken = await Task.WhenAny(signal.Task, Task.Delay(timeout, clock, poll.Token)) == signal.Task;
            await poll.CancelAsync();
        }
        token.ThrowIfCancellationRequested();
        if (!woken) return;
        // A loop, since a timer may fire a fraction of its millisecond early.
        while (_lastWake != long.MinValue && clock.GetElapsedTime(_lastWake) is var since && since < gathering)
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling((gathering - since).TotalMilliseconds)), clock, token);
        // Replaced only now: what was notified meanwhile was committed before this look, which sees it.
        Interlocked.Exchange(ref _signal, NewSignal());
        _lastWake = clock.GetTimestamp();
    }

    private async Task ListenAsync(CancellationToken token)
    {
        if (Volatile.Read(ref _connection) is not null) return;
        await _connecting.WaitAsync(token);
        try
        {
            if (_connection is not null) return;
            var connection = await dataSource.OpenConnectionAsync(token);
            connection.Notification += (_, _) =>
            {
                Interlocked.Increment(ref _notifications);
                Volatile.Read(ref _signal).TrySetResult();
            };
            await using (var listen = new NpgsqlCommand($"LISTEN {Quoted(channel)}", connection)) await listen.ExecuteNonQueryAsync(token);
            _connection = connection;
            _receiving = Task.Run(() => ReceiveAsync(connection), CancellationToken.None);
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task ReceiveAsync(NpgsqlConnection connection)
    {
        try
        {
            while (!_lifetime.IsCancellationRequested) await connection.WaitAsync(_lifetime.Token);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "The connection listening on {Channel} was lost; listening again at the daemon's next wait", channel);
        }
        finally
        {
            Interlocked.CompareExchange(ref _connection, null, connection);
            await connection.DisposeAsync();
            // Notifications may have been lost with the connection: the daemon looks now.
            Volatile.Read(ref _signal).TrySetResult();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Does not wait for the receiving loop, which closes its connection itself once cancelled.</summary>
    public void Dispose()
    {
        if (_lifetime.IsCancellationRequested) return;
        _lifetime.Cancel();
        dataSource.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_lifetime.IsCancellationRequested) return;
        // The receiving loop ends on this and closes its connection.
        await _lifetime.CancelAsync();
        await _receiving;
        await dataSource.DisposeAsync();
    }
}

/// <summary>Queues the notification that wakes every node's daemon in each transaction that appends events.</summary>
internal sealed class NotifyOnAppend(string channel) : DocumentSessionListenerBase
{
    // A statement returning no rows: a queued one that returned a row would be read as the next operation's result.
    private readonly string _notify = $"NOTIFY {DaemonWakeup.Quoted(channel)}";

    public override Task BeforeSaveChangesAsync(IDocumentSession session, CancellationToken token)
    {
        if (session.PendingChanges.Streams().Any()) session.QueueSqlCommand(_notify);
        return Task.CompletedTask;
    }
}
