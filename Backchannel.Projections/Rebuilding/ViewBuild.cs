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

    public ViewBuild(ViewRebuilder.View view, IReadOnlyList<Type> documents, object projection, bool isAsync, IDocumentOperations live)
    {
        View = view;
        DocumentTypes = documents;
        _projection = projection;
        IsAsync = isAsync;
        (Operations, Memory) = InMemoryOperations.Create(live, documents.ToHashSet());
        var included = (projection as JasperFx.Events.Projections.ProjectionBase)?.IncludedEventTypes;
        _eventTypes = included is { Count: > 0 } ? included.ToHashSet() : null;
        for (var type = projection.GetType(); type is not null; type = type.BaseType)
            if (type.Name.StartsWith("JasperFxMultiStreamProjectionBase", StringComparison.Ordinal)) _multiStream = true;
    }

    public ViewRebuilder.View View { get; }

    /// <summary>The documents (and so the tables) this view is made of.</summary>
    public IReadOnlyList<Type> DocumentTypes { get; }

    /// <summary>Whether the daemon keeps this view (it has a progression row to move on).</summary>
    public bool IsAsync { get; }

    public IDocumentOperations Operations { get; }

    public InMemoryOperations Memory { get; }

    /// <summary>The last event applied.</summary>
    public long Position { get; set; }

    public int DocumentCount => Memory.Documents.Values.Sum(d => d.Count);

    /// <summary>Applies one page of events, in order.</summary>
    public async Task ApplyAsync(IReadOnlyList<IEvent> page, CancellationToken ct)
    {
        var events = _eventTypes is null ? page : page.Where(e => _eventTypes.Contains(e.EventType)).ToList();
        if (events.Count > 0)
        {
            switch (_projection)
            {
                case IInlineProjection<IDocumentOperations> inline:
                    // A stream's snapshot is loaded once per call, so each stream comes once; a multi-stream projection
                    // slices the events itself, and must see them in their global order.
                    var streams = _multiStream
                        ? events.Select(e => new StreamAction(e.StreamKey!, StreamActionType.Append).AddEvents([e])).ToList()
                        : events.GroupBy(e => e.StreamKey!).Select(g => new StreamAction(g.Key, StreamActionType.Append).AddEvents(g.ToList())).ToList();
                    await inline.ApplyAsync(Operations, streams, ct);
                    break;
                case IJasperFxProjection<IDocumentOperations> projection:
                    await projection.ApplyAsync(Operations, events, ct);
                    break;
                default:
                    throw new NotSupportedException($"{_projection.GetType().Name} cannot be run outside its daemon.");
            }
        }
        if (page.Count > 0) Position = page[^1].Sequence;
    }
}
