using Backchannel.Domain.Common;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Projections.Push;

/// <summary>
/// Tells this node's push readers when the feed has grown, by polling the feed projection's progress: one small
/// query per node every <see cref="BackchannelSettings.PushPolling"/>, and only while someone is reading, instead of one
/// per connection.
/// The progress is in the database, so it works whichever node runs the projection.
/// </summary>
public sealed class FeedWatcher(IDocumentStore store, BackchannelSettings settings, ILogger<FeedWatcher> logger) : BackgroundService
{
    public static readonly ShardName Shard = new(PushFeedProjection.ProjectionName);

    private readonly SemaphoreSlim _someoneListens = new(0);
    private TaskCompletionSource _grown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _listeners;
    private long _progress = -1;

    /// <summary>Completes the next time the feed's progress moves. Take it before reading, so no growth is missed.</summary>
    public Task Grown => Volatile.Read(ref _grown).Task;

    /// <summary>The feed's progress: every item at or below it is written.</summary>
    public Task<long> ProgressAsync(CancellationToken ct) => store.Advanced.ProjectionProgressFor(Shard, token: ct);

    /// <summary>Keeps the watcher polling until the returned scope is disposed.</summary>
    public IDisposable Listen()
    {
        if (Interlocked.Increment(ref _listeners) == 1) _someoneListens.Release();
        return new Listening(this);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (Volatile.Read(ref _listeners) == 0) await _someoneListens.WaitAsync(stoppingToken);
                var progress = await ProgressAsync(stoppingToken);
                if (progress != _progress)
                {
                    _progress = progress;
                    Interlocked.Exchange(ref _grown, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                }
                await Task.Delay(settings.PushPolling, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database hiccup must not end push for the node: readers keep their heartbeats and resume.
                logger.LogWarning(e, "Could not read the push feed's progress; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private sealed class Listening(FeedWatcher watcher) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref watcher._listeners);
        }
    }
}
