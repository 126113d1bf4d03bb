using System.Text.Json;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
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
    /// <summary>The first frame of a stream: it names the position the stream goes on from.</summary>
    public const string Ready = "ready";
    /// <summary>Sent instead of ready when the client's position is no longer served: reload the views first.</summary>
    public const string Reload = "reload";

    /// <summary>A frame with nothing in it, sent while nothing happens so proxies keep the stream open.</summary>
    public static readonly PushFrame Heartbeat = new(null, null, null);
}

/// <summary>The data of a <c>ready</c> or <c>reload</c> frame.</summary>
public sealed record PushStart(long Position, string? Reason);

/// <summary>
/// Reads one user's push feed for as long as the caller listens: what they missed after a position, in order, then
/// each new item as the feed grows, with heartbeats while nothing happens. Every item comes from the feed table,
/// whose items commit together with the projection's progress, so a reader sees each item once, in position order,
/// on whichever node it runs. Live items come from the node's one read (<see cref="FeedWatcher"/>); a reader queries
/// the feed itself only to catch up.
/// </summary>
public sealed class PushFeed(IBackchannelStore store, FeedWatcher watcher, BackchannelSettings settings)
{
    /// <summary>How many missed items one catch-up query reads at a time.</summary>
    public const int PageSize = 200;

    /// <summary>How a frame's data is written on the wire: as the HTTP API writes JSON (camelCase, enums as strings).</summary>
    public static JsonSerializerOptions PayloadJson => FeedWriter.PayloadJson;

    /// <summary>
    /// The frames for <paramref name="userId"/> after <paramref name="after"/> (a position from an earlier frame), or
    /// from now when it is null.
    /// </summary>
    public async IAsyncEnumerable<PushFrame> ReadAsync(string userId, long? after, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var progress = await watcher.ProgressAsync(ct);
        var position = after ?? progress;
        PushFrame? start = null;
        if (after is null) start = new PushFrame(position, PushFrame.Ready, new PushStart(position, null));
        else if (after > progress || after < await PrunedThroughAsync(ct))
        {
            // Beyond the feed (the database was reset or the feed is being rebuilt) or before what it still keeps.
            position = progress;
            start = new PushFrame(position, PushFrame.Reload, new PushStart(position, after > progress ? "unknown_position" : "expired"));
        }

        // Subscribed before the first frame leaves, so a client that saw ready misses nothing after it.
        using var subscription = watcher.Subscribe(userId, position, progress);
        if (start is not null) yield return start;

        while (!ct.IsCancellationRequested)
        {
            if (!subscription.Live)
            {
                var through = watcher.Cursor;
                if (position < through)
                {
                    var page = await watcher.ReadForAsync(userId, position, through, PageSize, ct);
                    // Read after the page: a pruning (or a rebuild's switch) that took away any of what the page was to
                    // hold committed its mark with it, past where the page began; the client reloads instead of missing it.
                    if (position < await PrunedThroughAsync(ct))
                    {
                        position = watcher.Cursor;
                        yield return new PushFrame(position, PushFrame.Reload, new PushStart(position, "expired"));
                        continue;
                    }
                    foreach (var item in page)
                    {
                        position = item.Position;
                        yield return Frame(item);
                    }
                    if (page.Count == PageSize) continue;
                }
                if (!watcher.TryGoLive(subscription, position, through, out var retry))
                {
                    if (!await WithinHeartbeat(retry, ct)) yield return PushFrame.Heartbeat;
                }
                continue;
            }

            while (subscription.Items.TryRead(out var item))
            {
                position = item.Position;
                yield return Frame(item);
            }
            if (!subscription.Live)
            {
                // Fell further behind than its buffer: it catches up from the database, unless that was pruned meanwhile.
                if (position < await PrunedThroughAsync(ct))
                {
                    position = watcher.Cursor;
                    yield return new PushFrame(position, PushFrame.Reload, new PushStart(position, "expired"));
                }
                continue;
            }
            if (!await ItemsWithinHeartbeat(subscription.Items, ct)) yield return PushFrame.Heartbeat;
        }
    }

    private static PushFrame Frame(FeedItem item) => new(item.Position, item.Kind, item.Data);

    /// <summary>Waits for <paramref name="wake"/>; false when a heartbeat's time passed first.</summary>
    private async Task<bool> WithinHeartbeat(Task wake, CancellationToken ct)
    {
        try
        {
            await wake.WaitAsync(settings.PushHeartbeat, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Waits for an item in <paramref name="items"/>; false when a heartbeat's time passed first.</summary>
    private async Task<bool> ItemsWithinHeartbeat(ChannelReader<FeedItem> items, CancellationToken ct)
    {
        // Cancelled rather than abandoned on a heartbeat, so an idle stream does not pile up waiters.
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quiet.CancelAfter(settings.PushHeartbeat);
        try
        {
            await items.WaitToReadAsync(quiet.Token);
            return true;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<long> PrunedThroughAsync(CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.PrunedThroughAsync(ct);
    }
}
