using System.Runtime.CompilerServices;
using Backchannel.Domain.Common;
using Marten;

namespace Backchannel.Projections.Push;

/// <summary>
/// One frame of a user's push stream: a feed item, <c>ready</c> (a fresh start: the position to resume from),
/// <c>reload</c> (the client's position is no longer served: reload the views, then go on from here), or a heartbeat
/// (no position, no kind).
/// </summary>
public sealed record PushFrame(long? Position, string? Kind, object? Data)
{
    public const string Ready = "ready";
    public const string Reload = "reload";

    public static readonly PushFrame Heartbeat = new(null, null, null);
}

/// <summary>The data of a <c>ready</c> or <c>reload</c> frame.</summary>
public sealed record PushStart(long Position, string? Reason);

/// <summary>
/// Reads one user's push feed for as long as the caller listens: what they missed after a position, in order, then
/// each new item as the feed grows, with heartbeats while nothing happens. Every item comes from the feed table,
/// whose items commit together with the projection's progress, so a reader sees each item once, in position order,
/// on whichever node it runs.
/// </summary>
public sealed class PushFeed(IDocumentStore store, FeedWatcher watcher, BackchannelSettings settings)
{
    public const int PageSize = 200;

    /// <summary>
    /// The frames for <paramref name="userId"/> after <paramref name="after"/> (a position from an earlier frame), or
    /// from now when it is null.
    /// </summary>
    public async IAsyncEnumerable<PushFrame> ReadAsync(string userId, long? after, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var listening = watcher.Listen();
        var position = after ?? 0;
        var progress = await watcher.ProgressAsync(ct);
        if (after is null)
        {
            position = progress;
            yield return new PushFrame(position, PushFrame.Ready, new PushStart(position, null));
        }
        else if (after > progress || after < await PrunedThroughAsync(ct))
        {
            // Beyond the feed (the database was reset or the feed is being rebuilt) or before what it still keeps.
            position = progress;
            yield return new PushFrame(position, PushFrame.Reload, new PushStart(position, after > progress ? "unknown_position" : "expired"));
        }

        while (!ct.IsCancellationRequested)
        {
            var grown = watcher.Grown;
            var page = await PageAsync(userId, position, ct);
            foreach (var item in page)
            {
                position = item.Position;
                yield return new PushFrame(item.Position, item.Kind, item.Data);
            }
            if (page.Count == PageSize) continue;

            var quiet = false;
            try
            {
                await grown.WaitAsync(settings.PushHeartbeat, ct);
            }
            catch (TimeoutException)
            {
                quiet = true;
            }
            if (quiet) yield return PushFrame.Heartbeat;
        }
    }

    private async Task<IReadOnlyList<FeedItem>> PageAsync(string userId, long after, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Query<FeedItem>()
            .Where(f => f.UserId == userId && f.Position > after)
            .OrderBy(f => f.Position)
            .Take(PageSize)
            .ToListAsync(ct);
    }

    private async Task<long> PrunedThroughAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.PrunedThroughAsync(ct);
    }
}
