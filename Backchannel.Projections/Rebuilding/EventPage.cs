using JasperFx.Events;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// A page of events as every view being rebuilt takes it: each view keeps only the events of the types its projection
/// folds. The types are read off the events once for the page, not once per view (each read is an interface call and
/// a hash of the type, for every event of the page and every view).
/// </summary>
internal sealed class EventPage
{
    private readonly Type[] _types;
    private readonly int[] _typeOf;
    private readonly int[] _countOf;

    public EventPage(IReadOnlyList<IEvent> events)
    {
        Events = events;
        _typeOf = new int[events.Count];
        var index = new Dictionary<Type, int>();
        for (var i = 0; i < events.Count; i++)
        {
            var type = events[i].EventType;
            if (!index.TryGetValue(type, out var at))
            {
                at = index.Count;
                index[type] = at;
            }
            _typeOf[i] = at;
        }
        _types = new Type[index.Count];
        foreach (var (type, at) in index) _types[at] = type;
        _countOf = new int[index.Count];
        foreach (var at in _typeOf) _countOf[at]++;
    }

    public IReadOnlyList<IEvent> Events { get; }

    /// <summary>The events of the types in <paramref name="included"/> (all of them when null), in order.</summary>
    public IReadOnlyList<IEvent> Of(IReadOnlySet<Type>? included)
    {
        if (included is null) return Events;
        var keeps = new bool[_types.Length];
        var kept = 0;
        var keptEvents = 0;
        for (var t = 0; t < _types.Length; t++)
        {
            keeps[t] = included.Contains(_types[t]);
            if (!keeps[t]) continue;
            kept++;
            keptEvents += _countOf[t];
        }
        if (kept == 0) return [];
        if (kept == _types.Length) return Events;
        var events = new List<IEvent>(keptEvents);
        for (var i = 0; i < _typeOf.Length; i++)
            if (keeps[_typeOf[i]]) events.Add(Events[i]);
        return events;
    }
}
