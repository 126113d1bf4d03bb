using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace Backchannel.Projections.Push;

/// <summary>
/// Writes each user's push feed (<see cref="FeedItem"/>) from the events, asynchronously: the daemon hands events over
/// in global sequence order and only past its high-water mark, so a transaction that commits late is never skipped,
/// and the feed's items and the daemon's progress commit together. Readers therefore see every user's feed as a
/// gapless prefix. Each capability routes its own streams' events through one <see cref="IFeedSource"/>.
/// </summary>
internal sealed class PushFeedProjection : ProjectionBase, IProjection
{
    public const string ProjectionName = "PushFeed";

    private readonly IReadOnlyList<IFeedSource> _sources;

    public PushFeedProjection(params IFeedSource[] sources)
    {
        _sources = sources;
        Name = ProjectionName;
        RegisterPublishedType(typeof(FeedItem));
        foreach (var source in sources)
        {
            // One source per event: the items of an event are numbered as one source writes them.
            if (source.EventTypes.FirstOrDefault(IncludedEventTypes.Contains) is { } twice)
                throw new InvalidOperationException($"{twice.Name} is routed by two push feed sources; an event has one.");
            IncludedEventTypes.AddRange(source.EventTypes);
            foreach (var type in source.StateTypes) RegisterPublishedType(type);
        }
    }

    /// <summary>
    /// How long the feed keeps an item, by the clock its pruner reads: set where the store is added, null where no
    /// pruner runs. A rebuild leaves out the items the pruner would delete.
    /// </summary>
    internal FeedKeeping? Keeping { get; set; }

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var rebuild = operations as IRebuildingFeed;
        var feed = new FeedWriter(rebuild?.KeepsFrom);
        foreach (var source in _sources)
        {
            var routed = events.Where(e => source.EventTypes.Contains(e.EventType)).ToList();
            if (routed.Count > 0) await source.RouteAsync(operations, routed, feed, cancellation);
        }
        var written = feed.Written();
        if (written.Count > 0) operations.Store(written.ToArray());
        if (feed.LeftOutThrough > 0) rebuild!.LeftOut(feed.LeftOutThrough);
    }
}

/// <summary>
/// One capability's share of the push feed: which events it routes, and for each, who receives what. To push a new
/// capability's changes, write a source (usually a <see cref="StreamFeedSource{TAudience}"/>) and add it where
/// <see cref="BackchannelRegistration"/> builds the <see cref="PushFeedProjection"/>.
/// </summary>
internal interface IFeedSource
{
    IReadOnlyCollection<Type> EventTypes { get; }

    /// <summary>Documents the source keeps for itself (its audiences): rebuilt with the feed.</summary>
    IReadOnlyCollection<Type> StateTypes { get; }

    /// <summary>Routes <paramref name="events"/>, in order, into <paramref name="feed"/>.</summary>
    Task RouteAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, FeedWriter feed, CancellationToken ct);
}

/// <summary>
/// A feed source whose audience is decided per stream: who may see an event depends on the stream's state just
/// before it (a conversation's members, a room's roles), which the source folds itself, event by event, into a
/// <typeparamref name="TAudience"/> document kept beside the feed. Each batch loads the audiences it needs once.
/// </summary>
internal abstract class StreamFeedSource<TAudience> : IFeedSource where TAudience : class
{
    public abstract IReadOnlyCollection<Type> EventTypes { get; }

    public IReadOnlyCollection<Type> StateTypes => [typeof(TAudience)];

    /// <summary>Routes one event to the recipients <paramref name="audience"/> allows; returns the audience after it.</summary>
    protected abstract TAudience? Route(TAudience? audience, IEvent e, FeedWriter feed);

    public virtual Task RouteAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, FeedWriter feed, CancellationToken ct) =>
        RouteEachAsync(operations, events, (audience, e) => Route(audience, e, feed), ct);

    /// <summary>Loads the batch's audiences once, routes each event with <paramref name="route"/> in order, stores them.</summary>
    protected async Task RouteEachAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events,
        Func<TAudience?, IEvent, TAudience?> route, CancellationToken ct)
    {
        var keys = events.Select(e => e.StreamKey!).Distinct().ToArray();
        var loaded = await operations.LoadManyAsync<TAudience>(ct, keys);
        var audiences = keys.ToDictionary(k => k, _ => default(TAudience));
        // Keyed once: a search of the loaded list per key is quadratic in a batch's streams.
        foreach (var audience in loaded)
        {
            var id = IdOf(audience);
            if (audiences.TryGetValue(id, out var first) && first is null) audiences[id] = audience;
        }
        foreach (var e in events) audiences[e.StreamKey!] = route(audiences[e.StreamKey!], e);
        foreach (var audience in audiences.Values.OfType<TAudience>()) operations.Store(audience);
    }

    /// <summary>The stream key an audience document belongs to (its id).</summary>
    protected abstract string IdOf(TAudience audience);
}

/// <summary>
/// Collects the items one batch of events gives its recipients: recipients told the same thing of the same event, one
/// after the other, share one item.
/// </summary>
internal sealed class FeedWriter
{
    /// <summary>Payloads as the HTTP API writes JSON: camelCase names, enums as camelCase strings.</summary>
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
    };

    private readonly DateTimeOffset? _keepsFrom;
    private readonly List<FeedItem> _items = [];
    private readonly List<string> _recipients = [];
    // Who has been told of the event being written: an event gives each recipient at most one item.
    private readonly HashSet<string> _told = new(StringComparer.Ordinal);
    private long _toldOf = -1;
    private object? _lastPayload;
    private JsonElement _lastData;
    private int _itemsOfEvent;

    /// <summary>A writer of every item, or with <paramref name="keepsFrom"/>, of the items of events at or after it.</summary>
    public FeedWriter(DateTimeOffset? keepsFrom = null) => _keepsFrom = keepsFrom;

    /// <summary>The last position whose items were left out for being older than the writer keeps; 0 when none was.</summary>
    public long LeftOutThrough { get; private set; }

    /// <summary>
    /// The items written so far, in the order of their events; the last one may still gather recipients, and is given
    /// them by <see cref="Written"/>. Reading them changes nothing.
    /// </summary>
    internal IReadOnlyList<FeedItem> Items => _items;

    /// <summary>Every item written, the last one given the recipients it gathered: what the batch stores.</summary>
    internal IReadOnlyList<FeedItem> Written()
    {
        Close();
        return _items;
    }

    /// <summary>
    /// Tells <paramref name="userId"/> of event <paramref name="e"/>. The same payload handed for several recipients in a
    /// row (a message for each of its readers) becomes one item, its JSON written once. A recipient already told of
    /// the event (a member listed twice) is told once, the first time.
    /// </summary>
    public void Add(string userId, IEvent e, string kind, DateTimeOffset at, object payload)
    {
        if (at < _keepsFrom)
        {
            LeftOutThrough = Math.Max(LeftOutThrough, e.Sequence);
            return;
        }
        if (_toldOf != e.Sequence)
        {
            _told.Clear();
            _toldOf = e.Sequence;
        }
        if (!_told.Add(userId)) return;
        var open = _items.Count > 0 && _recipients.Count > 0 ? _items[^1] : null;
        if (open is not null && open.Position == e.Sequence && open.Kind == kind && ReferenceEquals(payload, _lastPayload))
        {
            _recipients.Add(userId);
            return;
        }
        Close();
        if (!ReferenceEquals(payload, _lastPayload))
        {
            _lastData = JsonSerializer.SerializeToElement(payload, payload.GetType(), PayloadJson);
            _lastPayload = payload;
        }
        _itemsOfEvent = _items.Count > 0 && _items[^1].Position == e.Sequence ? _itemsOfEvent + 1 : 0;
        _items.Add(new FeedItem
        {
            Id = FeedItem.IdOf(e.Sequence, _itemsOfEvent),
            Position = e.Sequence,
            Kind = kind,
            StreamKey = e.StreamKey!,
            At = at,
            Data = _lastData,
        });
        _recipients.Add(userId);
    }

    /// <summary>Gives the last item the recipients gathered for it.</summary>
    private void Close()
    {
        if (_recipients.Count == 0) return;
        _items[^1].Recipients = [.. _recipients];
        _recipients.Clear();
    }
}

/// <summary>
/// The feed as a rebuild writes it: the items already written are not in the database (a rebuild keeps the feed it is
/// building in memory, and a removal by moderation must find the items of earlier events there), and the items the
/// pruner would delete at once are not written at all.
/// </summary>
internal interface IRebuildingFeed
{
    /// <summary>The items of <paramref name="streamKey"/> caused by the events at <paramref name="positions"/>.</summary>
    Task<IReadOnlyList<FeedItem>> ItemsOfAsync(string streamKey, IReadOnlyCollection<long> positions, CancellationToken ct);

    /// <summary>Items of events that happened before this are left out (retention has them pruned); null keeps all.</summary>
    DateTimeOffset? KeepsFrom { get; }

    /// <summary>Notes that items up to <paramref name="position"/> were left out: the feed's mark must cover them.</summary>
    void LeftOut(long position);
}
