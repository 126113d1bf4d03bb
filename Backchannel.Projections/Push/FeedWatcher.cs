using System.Threading.Channels;
using Backchannel.Domain.Common;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Projections.Push;

/// <summary>
/// The node's one reader of the push feed. While anyone listens it polls the feed projection's progress every
/// <see cref="BackchannelSettings.PushPolling"/>; when the feed moves, it reads the new items of every user listening
/// on this node in one query and hands each subscription its own in memory, through a bounded buffer. The feed thus
/// costs a node one query per advance however many streams it holds. A subscription reads the database itself only
/// to catch up: after a resume, or after falling further behind than its buffer holds.
/// The progress is in the database, so it works whichever node runs the projection.
/// </summary>
public sealed class FeedWatcher(IBackchannelStore store, BackchannelSettings settings, ILogger<FeedWatcher> logger) : BackgroundService
{
    private readonly FeedCommits? _commits;

    /// <summary>A watcher that also wakes when this node's daemon commits push items.</summary>
    internal FeedWatcher(IBackchannelStore store, BackchannelSettings settings, ILogger<FeedWatcher> logger, FeedCommits commits)
        : this(store, settings, logger) => _commits = commits;

    internal static readonly ShardName Shard = new(PushFeedProjection.ProjectionName);

    /// <summary>How many items a subscription's buffer holds before it must catch up from the database.</summary>
    public const int Buffer = 64;

    /// <summary>How many items one read of the node takes at most; more are handed out in further reads.</summary>
    public const int ReadLimit = 2_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Subscription>> _byUser = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _someoneListens = new(0);
    private TaskCompletionSource _handedOut = NewSignal();
    // Every live subscription holds every item of its user at or below the cursor.
    private long _cursor;
    private long _tickets;
    // While a read is in flight, the last subscription it covers: one that came later may only go live after it.
    private long _covered = long.MaxValue;
    private int _subscriptions;
    private long _feedReads;
    private long _advances;
    private long _fellBehind;

    /// <summary>Diagnostics: how many queries of the feed's items this node made (its own reads and catch-ups).</summary>
    public long FeedReads => Interlocked.Read(ref _feedReads);

    /// <summary>Diagnostics: how many times the node read what was new in the feed and handed it out.</summary>
    public long Advances => Interlocked.Read(ref _advances);

    /// <summary>Diagnostics: how many times a subscription fell further behind than its buffer and had to catch up.</summary>
    public long FellBehind => Interlocked.Read(ref _fellBehind);

    /// <summary>Diagnostics: how many subscriptions this node holds.</summary>
    public int Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>The feed's progress: every item at or below it is written.</summary>
    public Task<long> ProgressAsync(CancellationToken ct) => store.Advanced.ProjectionProgressFor(Shard, token: ct);

    /// <summary>How far this node has handed items out: a subscription catches up to here, then goes live.</summary>
    internal long Cursor
    {
        get
        {
            lock (_lock) return _cursor;
        }
    }

    /// <summary>
    /// Subscribes <paramref name="userId"/> from <paramref name="position"/>; <paramref name="progress"/> is the
    /// feed's progress as just read. Live at once when nothing lies between the position and the cursor.
    /// </summary>
    internal Subscription Subscribe(string userId, long position, long progress)
    {
        var subscription = new Subscription(this, userId);
        lock (_lock)
        {
            // Nobody holds items below the cursor, so it may jump to now instead of reading what nobody needs.
            if (_subscriptions == 0) _cursor = progress;
            subscription.Ticket = ++_tickets;
            if (!_byUser.TryGetValue(userId, out var ofUser)) _byUser[userId] = ofUser = [];
            ofUser.Add(subscription);
            if (++_subscriptions == 1) _someoneListens.Release();
            if (position >= _cursor && _covered == long.MaxValue) subscription.GoLive(position);
        }
        return subscription;
    }

    /// <summary>
    /// Makes <paramref name="subscription"/> live if it holds everything through <paramref name="through"/> and that is
    /// still the cursor; otherwise <paramref name="retry"/> says when to try again (after catching up further).
    /// </summary>
    internal bool TryGoLive(Subscription subscription, long position, long through, out Task retry)
    {
        lock (_lock)
        {
            if (_cursor != through)
            {
                retry = Task.CompletedTask;
                return false;
            }
            if (subscription.Ticket > _covered)
            {
                retry = _handedOut.Task;
                return false;
            }
            subscription.GoLive(position);
        }
        retry = Task.CompletedTask;
        return true;
    }

    /// <summary>One user's items after <paramref name="after"/> through <paramref name="through"/>, in order, at most <paramref name="limit"/>.</summary>
    internal async Task<IReadOnlyList<FeedItem>> ReadForAsync(string userId, long after, long through, int limit, CancellationToken ct)
    {
        Interlocked.Increment(ref _feedReads);
        await using var session = store.QuerySession();
        return await session.QueryAsync<FeedItem>("where recipients @> ? and position > ? and position <= ? order by id limit ?", ct,
            new[] { userId }, after, through, limit);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (Volatile.Read(ref _subscriptions) == 0) await _someoneListens.WaitAsync(stoppingToken);
                var progress = await ProgressAsync(stoppingToken);
                // A large advance is handed out in several reads, one right after the other.
                if (progress != Cursor && await HandOutAsync(progress, stoppingToken) < progress) continue;
                if (_commits is not null) await _commits.WaitAsync(settings.PushPolling, stoppingToken);
                else await Task.Delay(settings.PushPolling, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database hiccup must not end push for the node: streams keep their heartbeats and resume.
                logger.LogWarning(e, "Could not read the push feed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Reads the listening users' items after the cursor through <paramref name="progress"/> and hands them out; returns the new cursor.</summary>
    private async Task<long> HandOutAsync(long progress, CancellationToken ct)
    {
        long after;
        string[] users;
        lock (_lock)
        {
            after = _cursor;
            users = [.. _byUser.Keys];
            _covered = _tickets;
        }
        try
        {
            // Nothing new for anyone here, or the feed went back (reset or rebuilt): nothing to read, only to follow.
            if (progress <= after || users.Length == 0)
            {
                lock (_lock) _cursor = progress;
                return progress;
            }

            using var span = BackchannelTelemetry.Source.StartActivity(BackchannelTelemetry.PushHandOutSpan);
            span?.SetTag("backchannel.push.listeners", users.Length);
            var (items, through) = await ReadNewAsync(users, after, progress, ct);
            span?.SetTag("backchannel.push.items", items.Count);
            Interlocked.Increment(ref _advances);
            var now = DateTimeOffset.UtcNow;
            lock (_lock)
            {
                foreach (var item in items)
                {
                    foreach (var recipient in item.Recipients)
                    {
                        if (!_byUser.TryGetValue(recipient, out var ofUser)) continue;
                        BackchannelTelemetry.PushDelivered(now - item.At);
                        foreach (var subscription in ofUser) subscription.Offer(item);
                    }
                }
                _cursor = through;
            }
            return through;
        }
        finally
        {
            TaskCompletionSource handedOut;
            lock (_lock)
            {
                _covered = long.MaxValue;
                handedOut = _handedOut;
                _handedOut = NewSignal();
            }
            handedOut.TrySetResult();
        }
    }

    /// <summary>
    /// The items of <paramref name="users"/> after <paramref name="after"/>, through <paramref name="progress"/> or, when
    /// there are more than one read takes, through the last position read whole.
    /// </summary>
    private async Task<(IReadOnlyList<FeedItem> Items, long Through)> ReadNewAsync(string[] users, long after, long progress, CancellationToken ct)
    {
        Interlocked.Increment(ref _feedReads);
        await using var session = store.QuerySession();
        var items = await session.QueryAsync<FeedItem>("where recipients && ? and position > ? and position <= ? order by id limit ?", ct,
            users, after, progress, ReadLimit);
        if (items.Count < ReadLimit) return (items, progress);

        // The limit may cut one event's items in two: keep the positions read whole, unless there is only one.
        var last = items[^1].Position;
        var whole = items.Where(i => i.Position < last).ToList();
        if (whole.Count > 0) return (whole, last - 1);
        Interlocked.Increment(ref _feedReads);
        var one = await session.QueryAsync<FeedItem>("where recipients && ? and position = ? order by id", ct, users, last);
        return (one, last);
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_lock)
        {
            if (!_byUser.TryGetValue(subscription.UserId, out var ofUser) || !ofUser.Remove(subscription)) return;
            if (ofUser.Count == 0) _byUser.Remove(subscription.UserId);
            _subscriptions--;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// One stream's place in the fan-out. Live, it is handed its user's items in order through its buffer; when the
    /// buffer is full it stops being live, and its reader catches up from the database from the last item it took.
    /// </summary>
    internal sealed class Subscription(FeedWatcher watcher, string userId) : IDisposable
    {
        private readonly Channel<FeedItem> _items = Channel.CreateBounded<FeedItem>(
            new BoundedChannelOptions(Buffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        private volatile bool _live;
        // The last item this subscription holds, when live; written under the watcher's lock.
        private long _position;

        public string UserId { get; } = userId;

        public long Ticket { get; set; }

        public bool Live => _live;

        public ChannelReader<FeedItem> Items => _items.Reader;

        public void GoLive(long position)
        {
            _position = position;
            _live = true;
        }

        public void Offer(FeedItem item)
        {
            if (!_live || item.Position <= _position) return;
            if (_items.Writer.TryWrite(item))
            {
                _position = item.Position;
                return;
            }
            _live = false;
            Interlocked.Increment(ref watcher._fellBehind);
        }

        public void Dispose()
        {
            _live = false;
            watcher.Unsubscribe(this);
            _items.Writer.TryComplete();
        }
    }
}
