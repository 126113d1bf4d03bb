using Marten;
using Marten.Services;

namespace Backchannel.Projections.Push;

/// <summary>
/// Tells this node's <see cref="FeedWatcher"/> that the daemon has just committed push items here, so it reads them at
/// once instead of at its next poll. The poll stays, for a feed that another node's daemon writes.
/// </summary>
internal sealed class FeedCommits : IChangeListener
{
    private readonly SemaphoreSlim _committed = new(0, 1);

    /// <summary>Waits until push items are committed on this node, or <paramref name="timeout"/> passes.</summary>
    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _committed.WaitAsync(timeout, ct);

    public Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        if (commit.Inserted.Concat(commit.Updated).Any(d => d is FeedItem))
        {
            // One pending signal is enough: the watcher reads everything up to the feed's progress.
            try
            {
                _committed.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
        return Task.CompletedTask;
    }

    public Task BeforeCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token) => Task.CompletedTask;
}
