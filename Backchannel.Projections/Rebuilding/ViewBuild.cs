using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// One view being rebuilt: its Marten projection, run on pages of events against documents kept in memory
/// (<see cref="InMemoryOperations"/>). An aggregation runs its inline path (what a command runs); any other projection
/// its own <c>ApplyAsync</c> on the page (what the daemon runs).
/// </summary>
internal sealed class ViewBuild
{
    private readonly object _projection;
    private readonly IReadOnlySet<Type>? _eventTypes;
    private readonly bool _multiStream;
    private readonly bool _aggregation;

    public ViewBuild(IDocumentStore store, ViewRebuilder.View view, IReadOnlyList<Type> documents, object projection, bool isAsync, IDocumentOperations live)
    {
        View = view;
        DocumentTypes = documents;
        Tables = documents.ToDictionary(t => t, t => new ViewTables(store, t));
        _projection = Unwrapped(projection);
        IsAsync = isAsync;
        (Operations, Memory) = InMemoryOperations.Create(live, documents.ToHashSet());
        _keeping = (_projection as Push.PushFeedProjection)?.Keeping;
        var included = (_projection as JasperFx.Events.Projections.ProjectionBase)?.IncludedEventTypes;
        _eventTypes = included is { Count: > 0 } ? included.ToHashSet() : null;
        for (var type = _projection.GetType(); type is not null; type = type.BaseType)
        {
            if (type.Name.StartsWith("JasperFxMultiStreamProjectionBase", StringComparison.Ordinal)) _multiStream = true;
            if (type.Name.StartsWith("JasperFxAggregationProjectionBase", StringComparison.Ordinal)) _aggregation = true;
        }
        if (_multiStream && _aggregation && documents.Count == 1 && DirectFold.For(documents[0]) is { } direct && direct.Covers(_eventTypes))
            _direct = direct;
    }

    private readonly DirectFold? _direct;
    private readonly Push.FeedKeeping? _keeping;

    /// <summary>Whether this is the push feed, which keeps an item for its retention (<see cref="KeepAsOf"/>).</summary>
    public bool KeepsFeed => _keeping is not null;

    /// <summary>
    /// The feed keeps an item for its retention: the rebuild writes none that the pruner would delete at once, as of
    /// <paramref name="databaseNow"/> or this process's clock, whichever is earlier.
    /// </summary>
    public void KeepAsOf(DateTimeOffset databaseNow) => Memory.KeepsFrom = _keeping?.KeepsFromAsOf(databaseNow);

    /// <summary>Whether the rebuild folds this view itself (<see cref="DirectFold"/>) rather than through Marten's slicing.</summary>
    public bool FoldsDirectly => _direct is not null;

    public ViewRebuilder.View View { get; }

    /// <summary>
    /// The projection itself: Marten registers a custom projection inside a wrapper of its own, which offers the
    /// inline path only (events grouped by stream); the projection wants its page in global order.
    /// </summary>
    private static object Unwrapped(object source)
    {
        if (source is IJasperFxProjection<IDocumentOperations> || source.GetType().Name.StartsWith("JasperFxAggregationProjectionBase", StringComparison.Ordinal))
            return source;
        const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic;
        for (var type = source.GetType(); type is not null; type = type.BaseType)
        {
            foreach (var field in type.GetFields(all))
                if (field.GetValue(source) is IJasperFxProjection<IDocumentOperations> inner) return inner;
            foreach (var property in type.GetProperties(all).Where(p => p.GetIndexParameters().Length == 0))
                if (property.GetValue(source) is IJasperFxProjection<IDocumentOperations> inner) return inner;
        }
        return source;
    }

    /// <summary>The documents (and so the tables) this view is made of.</summary>
    public IReadOnlyList<Type> DocumentTypes { get; }

    /// <summary>The fresh tables of <see cref="DocumentTypes"/>.</summary>
    public IReadOnlyDictionary<Type, ViewTables> Tables { get; }

    /// <summary>Sequences the read skipped that this view has not caught up yet.</summary>
    public List<long> Gaps { get; } = [];

    /// <summary>Whether the daemon keeps this view (it has a progression row to move on).</summary>
    public bool IsAsync { get; }

    public IDocumentOperations Operations { get; }

    public InMemoryOperations Memory { get; }

    /// <summary>The last event applied.</summary>
    public long Position { get; set; }

    public int DocumentCount => DocumentTypes.Sum(Memory.Count);

    /// <summary>How long the folds took, in all.</summary>
    public TimeSpan Folding { get; private set; }

    /// <summary>Rows read back from the fresh tables (for the push feed, also other streams' items at the same positions).</summary>
    public int ReadBack { get; set; }

    /// <summary>How long reading back took, the waits for the tables' pending writes included.</summary>
    public TimeSpan ReadingBack { get; set; }

    /// <summary>Applies one page of events, in order.</summary>
    public async Task ApplyAsync(EventPage page, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try { await ApplyTimedAsync(page, ct); }
        finally { Folding += System.Diagnostics.Stopwatch.GetElapsedTime(started); }
    }

    private async Task ApplyTimedAsync(EventPage page, CancellationToken ct)
    {
        var events = page.Of(_eventTypes);
        if (events.Count > 0)
        {
            switch (_projection)
            {
                // An event projection or a custom one may also be inline-capable, but takes its page as the daemon
                // hands it: in global order, not grouped by stream.
                case IJasperFxProjection<IDocumentOperations> projection when !_aggregation:
                    await projection.ApplyAsync(Operations, events, ct);
                    break;
                case IInlineProjection<IDocumentOperations> inline when _direct is not null:
                    await FoldDirectlyAsync(_direct, inline, events, ct);
                    break;
                case IInlineProjection<IDocumentOperations> inline when _aggregation:
                    // A stream's snapshot is loaded once per call, so each stream comes once; a multi-stream projection
                    // slices the events itself, and must see them in their global order.
                    var streams = _multiStream
                        ? events.Select(e => new StreamAction(e.StreamKey!, StreamActionType.Append).AddEvents([e])).ToList()
                        : events.GroupBy(e => e.StreamKey!).Select(g => new StreamAction(g.Key, StreamActionType.Append).AddEvents(g.ToList())).ToList();
                    await inline.ApplyAsync(Operations, streams, ct);
                    break;
                default:
                    throw new NotSupportedException($"{_projection.GetType().Name} cannot be run outside its daemon.");
            }
        }
        if (page.Events.Count > 0) Position = page.Events[^1].Sequence;
    }

    /// <summary>
    /// Folds <paramref name="events"/> in their global order with <paramref name="fold"/>, the documents they need
    /// loaded once for the page; an event the fold does not claim goes to the projection itself, alone.
    /// </summary>
    private async Task FoldDirectlyAsync(DirectFold fold, IInlineProjection<IDocumentOperations> projection, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        var documents = Memory.Documents[fold.Document];
        var keys = new string[events.Count];
        List<object>? absent = null;
        for (var i = 0; i < events.Count; i++)
        {
            keys[i] = fold.KeyOf(events[i].Data);
            if (!documents.ContainsKey(keys[i])) (absent ??= []).Add(keys[i]);
        }
        // Those handed off to the fresh table come back into memory; the others are new.
        if (absent is not null) await Memory.GetManyAsync(fold.Document, absent.Distinct(), ct);

        var changed = new HashSet<string>();
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            var exists = documents.TryGetValue(keys[i], out var document);
            if (!exists && fold.Creates.Contains(e.EventType)) documents[keys[i]] = fold.Create(e.Data);
            else if (exists && fold.Changes.Contains(e.EventType)) documents[keys[i]] = fold.Apply(document!, e.Data);
            else
            {
                Store(changed);
                await projection.ApplyAsync(Operations, [new StreamAction(e.StreamKey!, StreamActionType.Append).AddEvents([e])], ct);
                continue;
            }
            changed.Add(keys[i]);
        }
        Store(changed);

        void Store(HashSet<string> keys)
        {
            foreach (var key in keys) Memory.Put(documents[key]);
            keys.Clear();
        }
    }
}
