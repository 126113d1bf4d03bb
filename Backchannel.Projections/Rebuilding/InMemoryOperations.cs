using System.Collections;
using System.Reflection;
using Backchannel.Projections.Push;
using JasperFx.Events.Aggregation;
using JasperFx.Events.Daemon;
using Marten;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// The document operations a projection is handed during a fast rebuild: the documents of the view being rebuilt
/// live in memory (what the projection stores, loads and deletes of them never reaches the database), everything
/// else is read from the live store. The projection's own code runs unchanged, as the daemon or a command runs it,
/// so the documents it builds are the ones it would write there.
/// <para>
/// Memory stays bounded: a document nothing touched for a few pages is handed off (<see cref="HandOff"/>) to be
/// copied into the view's fresh table and forgotten here; if a later event loads it, it is read back from there
/// (<see cref="Cold"/>), as a command reads a stored view, and if that event changes or deletes it, it stays in
/// memory and is written again at the end (<see cref="Rewrites"/>).
/// </para>
/// </summary>
internal class InMemoryOperations : DispatchProxy, IRebuildingFeed
{
    private IDocumentOperations _live = null!;
    private IReadOnlySet<Type> _owned = null!;

    /// <summary>The view's documents held in memory, by type, then by id.</summary>
    public Dictionary<Type, Dictionary<object, object>> Documents { get; } = [];

    /// <summary>Ids stored or deleted since the last <see cref="TakeChanged"/>, by type: what a catch-up writes again.</summary>
    private readonly Dictionary<Type, HashSet<object>> _changed = [];

    /// <summary>
    /// Whether stores and deletes are noted for <see cref="TakeChanged"/>: not during the fold, whose documents all go
    /// to the fresh tables anyway (noting them kept a set of every id of the view, for nothing), but from the catch-up on.
    /// </summary>
    public bool TrackChanges { get; set; }

    /// <summary>The page each document in memory was last stored or loaded in.</summary>
    private readonly Dictionary<Type, Dictionary<object, int>> _touched = [];

    /// <summary>
    /// The ids touched in each page not yet handed off, by type, oldest page first (an id touched again is listed again):
    /// a hand-off looks at the pages it ends, not at every document in memory. It holds because <see cref="Page"/> only
    /// grows, every touch goes through <see cref="Touch"/>, and an id in <see cref="Rewrites"/> stays there (it is never
    /// handed off before the end).
    /// </summary>
    private readonly Dictionary<Type, List<(int Page, List<object> Ids)>> _touchedIn = [];

    private void Touch(Type type, object id)
    {
        _touched[type][id] = Page;
        var pages = _touchedIn[type];
        System.Diagnostics.Debug.Assert(pages.Count == 0 || pages[^1].Page <= Page, "The page folded only grows.");
        if (pages.Count == 0 || pages[^1].Page != Page) pages.Add((Page, []));
        pages[^1].Ids.Add(id);
    }

    /// <summary>Ids handed off to be written into the fresh table.</summary>
    private readonly Dictionary<Type, HashSet<object>> _written = [];

    /// <summary>Ids handed off and then stored or deleted again: their row is replaced at the end.</summary>
    private readonly Dictionary<Type, HashSet<object>> _rewrite = [];

    private readonly Dictionary<Type, object> _storages = [];

    /// <summary>Reads documents already handed off back from the fresh table: by id, or (for the push feed) by position.</summary>
    public Func<Type, ColdQuery, CancellationToken, Task<IReadOnlyList<object>>> Cold { get; set; } =
        (_, _, _) => Task.FromResult<IReadOnlyList<object>>([]);

    /// <summary>The page being folded: what <see cref="HandOff"/> counts the documents' age in.</summary>
    public int Page { get; set; }

    /// <summary>Operations whose documents of <paramref name="owned"/> live in memory; the rest is read from <paramref name="live"/>.</summary>
    public static (IDocumentOperations Operations, InMemoryOperations Memory) Create(IDocumentOperations live, IReadOnlySet<Type> owned)
    {
        var proxy = Create<IDocumentOperations, InMemoryOperations>();
        var memory = (InMemoryOperations)(object)proxy;
        memory._live = live;
        memory._owned = owned;
        foreach (var type in owned)
        {
            memory.Documents[type] = [];
            memory._touched[type] = [];
            memory._touchedIn[type] = [];
            memory._written[type] = [];
            memory._rewrite[type] = [];
        }
        return (proxy, memory);
    }

    /// <summary>The ids changed since the last call, by type; starts a new round.</summary>
    public Dictionary<Type, HashSet<object>> TakeChanged()
    {
        var changed = _changed.ToDictionary(c => c.Key, c => new HashSet<object>(c.Value));
        _changed.Clear();
        return changed;
    }

    /// <summary>
    /// Takes out of memory the documents not touched since page <paramref name="before"/> (all of them when null, which
    /// then stay in memory too), and returns those never written, by type: the caller writes them into the fresh tables.
    /// </summary>
    public Dictionary<Type, List<object>> HandOff(int? before)
    {
        var handed = new Dictionary<Type, List<object>>();
        foreach (var (type, touched) in _touched)
        {
            var documents = Documents[type];
            var written = _written[type];
            var rewrite = _rewrite[type];
            var batch = new List<object>();
            if (before is not { } b)
            {
                foreach (var (id, _) in touched)
                    if (!rewrite.Contains(id) && written.Add(id)) batch.Add(documents[id]);
            }
            else
            {
                // Only the pages that end now: an id whose last touch was such a page goes; one touched since waits for
                // the page it was last touched in, where it is listed again.
                var pages = _touchedIn[type];
                var ending = 0;
                while (ending < pages.Count && pages[ending].Page < b) ending++;
                for (var p = 0; p < ending; p++)
                {
                    var (page, ids) = pages[p];
                    foreach (var id in ids)
                    {
                        if (!touched.TryGetValue(id, out var last) || last != page || rewrite.Contains(id)) continue;
                        if (written.Add(id)) batch.Add(documents[id]);
                        touched.Remove(id);
                        documents.Remove(id);
                    }
                }
                pages.RemoveRange(0, ending);
            }
            if (batch.Count > 0) handed[type] = batch;
        }
        return handed;
    }

    /// <summary>Ids whose row in the fresh table is to be replaced by what memory holds now (or deleted).</summary>
    public IReadOnlyDictionary<Type, HashSet<object>> Rewrites => _rewrite;

    /// <summary>How many documents of <paramref name="type"/> the rebuilt view holds.</summary>
    public int Count(Type type) =>
        _written[type].Count + Documents[type].Keys.Count(id => !_written[type].Contains(id)) -
        _rewrite[type].Count(id => !Documents[type].ContainsKey(id));

    public void Put(object document)
    {
        document = AsStored(document);
        var type = document.GetType();
        if (!Documents.TryGetValue(type, out var byId))
            throw new InvalidOperationException($"A rebuild of this view stored a {type.Name}, which is not one of its documents.");
        var id = IdOf(document);
        byId[id] = document;
        Touch(type, id);
        if (TrackChanges) Changed(type).Add(id);
        if (_written[type].Contains(id)) _rewrite[type].Add(id);
    }

    public void Remove(Type type, object id)
    {
        if (!Documents.TryGetValue(type, out var byId)) return;
        byId.Remove(id);
        _touched[type].Remove(id);
        if (TrackChanges) Changed(type).Add(id);
        if (_written[type].Contains(id)) _rewrite[type].Add(id);
    }

    private HashSet<object> Changed(Type type) =>
        _changed.TryGetValue(type, out var ids) ? ids : _changed[type] = [];

    /// <summary>The document in memory, if it is there (deleted, never stored, or handed off otherwise).</summary>
    public object? Get(Type type, object id) => Documents[type].GetValueOrDefault(id);

    /// <summary>The documents of <paramref name="ids"/> that exist, from memory or read back from the fresh table.</summary>
    public async Task<List<object>> GetManyAsync(Type type, IEnumerable<object> ids, CancellationToken ct)
    {
        var found = new List<object>();
        List<object>? cold = null;
        var documents = Documents[type];
        foreach (var id in ids)
        {
            if (documents.TryGetValue(id, out var document))
            {
                Touch(type, id);
                found.Add(document);
            }
            else if (_written[type].Contains(id) && !_rewrite[type].Contains(id)) (cold ??= []).Add(id);
        }
        if (cold is not null)
        {
            foreach (var document in await Cold(type, new ColdQuery(cold.Distinct().ToArray(), null), ct))
            {
                var id = IdOf(document);
                documents[id] = document;
                Touch(type, id);
                found.Add(document);
            }
        }
        return found;
    }

    /// <summary>For the push feed: items of events before this are left out (set from the feed's retention).</summary>
    public DateTimeOffset? KeepsFrom { get; set; }

    /// <summary>The last position whose push items were left out; 0 when none was.</summary>
    public long LeftOutThrough { get; private set; }

    public void LeftOut(long position) => LeftOutThrough = Math.Max(LeftOutThrough, position);

    public async Task<IReadOnlyList<FeedItem>> ItemsOfAsync(string streamKey, IReadOnlyCollection<long> positions, CancellationToken ct)
    {
        var type = typeof(FeedItem);
        var items = Documents[type].Values.Cast<FeedItem>().Where(f => f.StreamKey == streamKey && positions.Contains(f.Position)).ToList();
        if (_written[type].Count == 0) return items;
        foreach (var item in (await Cold(type, new ColdQuery(null, positions.ToArray()), ct)).Cast<FeedItem>())
        {
            if (item.StreamKey != streamKey || Documents[type].ContainsKey(item.Id) || _rewrite[type].Contains(item.Id)) continue;
            Documents[type][item.Id] = item;
            Touch(type, item.Id);
            items.Add(item);
        }
        return items;
    }

    /// <summary>
    /// A document as the database would hand it back, which is what memory keeps: a conversation's decision state
    /// leaves its messages out of the stored JSON, and holding them (all of them, as the fold gathers them) would only
    /// grow the heap the rebuild runs in and every later fold of that conversation.
    /// </summary>
    private static object AsStored(object document) => document is Backchannel.Domain.Conversations.Conversation conversation ? conversation.AsStored() : document;

    /// <summary>Each document type's Id property, read and written through delegates (views fold side by side).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, (Func<object, object> Get, Action<object, object> Set)> Ids = new();

    private static (Func<object, object> Get, Action<object, object> Set) IdAccessors(Type type) => Ids.GetOrAdd(type, static t =>
    {
        var property = t.GetProperty("Id") ?? throw new InvalidOperationException($"{t.Name} has no Id.");
        var document = System.Linq.Expressions.Expression.Parameter(typeof(object));
        var value = System.Linq.Expressions.Expression.Parameter(typeof(object));
        var typed = System.Linq.Expressions.Expression.Convert(document, t);
        var get = System.Linq.Expressions.Expression.Lambda<Func<object, object>>(
            System.Linq.Expressions.Expression.Convert(System.Linq.Expressions.Expression.Property(typed, property), typeof(object)), document).Compile();
        var set = !property.CanWrite ? (Action<object, object>)((_, _) => throw new InvalidOperationException($"{t.Name}'s Id cannot be set.")) : System.Linq.Expressions.Expression.Lambda<Action<object, object>>(
            System.Linq.Expressions.Expression.Assign(System.Linq.Expressions.Expression.Property(typed, property),
                System.Linq.Expressions.Expression.Convert(value, property.PropertyType)), document, value).Compile();
        return (get, set);
    });

    internal static object IdOf(object document) => IdAccessors(document.GetType()).Get(document);

    internal static void SetId(object document, object id) => IdAccessors(document.GetType()).Set(document, id);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        args ??= [];
        var generic = method.IsGenericMethod ? method.GetGenericArguments() : [];
        switch (method.Name)
        {
            case "FetchProjectionStorageAsync":
                return Later(method.ReturnType, Task.FromResult<object?>(StorageFor(generic[0], generic[1])));
            case "get_EnableSideEffectsOnInlineProjections":
                return false;
            case "CorrectSessionForTenancy":
                return this;
            case "Store" or "Insert" or "Update" when generic.Length == 1 && _owned.Contains(generic[0]):
                foreach (var document in Entities(args)) Put(document);
                return null;
            case "Delete" when generic.Length == 1 && _owned.Contains(generic[0]):
                var target = args[0]!;
                Remove(generic[0], generic[0].IsInstanceOfType(target) ? IdOf(target) : target);
                return null;
            case "LoadManyAsync" when generic.Length == 1 && _owned.Contains(generic[0]):
                return Later(method.ReturnType, LoadManyAsync(generic[0], args));
            case "LoadAsync" when generic.Length == 1 && _owned.Contains(generic[0]):
                return Later(method.ReturnType, LoadOneAsync(generic[0], args[0]!, args.OfType<CancellationToken>().FirstOrDefault()));
            case "Store" or "Insert" or "Update" or "Delete" or "HardDelete" or "UndoDeleteWhere" or "DeleteWhere" or "Patch"
                or "QueueOperation" or "QueueSqlCommand" or "SaveChangesAsync" or "SaveChanges":
                throw new NotSupportedException($"A rebuild of this view called {method.Name} outside its own documents.");
        }
        if (generic.Length == 1 && _owned.Contains(generic[0]))
            throw new NotSupportedException($"A rebuild keeps {generic[0].Name} in memory: {method.Name} has no answer there.");
        try
        {
            return method.Invoke(_live, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    private static IEnumerable<object> Entities(object?[] args)
    {
        foreach (var arg in args)
        {
            if (arg is null or string) continue;
            if (arg is IEnumerable many)
            {
                foreach (var one in many) if (one is not null) yield return one;
            }
            else yield return arg;
        }
    }

    private async Task<object?> LoadManyAsync(Type type, object?[] args)
    {
        var ids = args.Where(a => a is not CancellationToken).SelectMany(a => a is IEnumerable many and not string ? many.Cast<object>() : [a!]);
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(type))!;
        foreach (var found in await GetManyAsync(type, ids, args.OfType<CancellationToken>().FirstOrDefault())) list.Add(found);
        return list;
    }

    private async Task<object?> LoadOneAsync(Type type, object id, CancellationToken ct) =>
        (await GetManyAsync(type, [id], ct)).FirstOrDefault();

    private object StorageFor(Type document, Type id)
    {
        if (!_storages.TryGetValue(document, out var storage))
            _storages[document] = storage = Activator.CreateInstance(typeof(InMemoryProjectionStorage<,>).MakeGenericType(document, id), this)!;
        return storage;
    }

    private static readonly MethodInfo CastMethod = typeof(InMemoryOperations).GetMethod(nameof(CastAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>A Task or ValueTask of <paramref name="value"/>'s result, as <paramref name="returnType"/> says.</summary>
    private static object Later(Type returnType, Task<object?> value)
    {
        var result = returnType.GetGenericArguments()[0];
        var task = CastMethod.MakeGenericMethod(result).Invoke(null, [value])!;
        return returnType.GetGenericTypeDefinition() == typeof(ValueTask<>) ? Activator.CreateInstance(returnType, task)! : task;
    }

    private static async Task<T> CastAsync<T>(Task<object?> value) => (T)(await value)!;
}

/// <summary>What to read back from a fresh table: documents by id, or feed items by position.</summary>
internal sealed record ColdQuery(object[]? Ids, long[]? Positions);

/// <summary>A projection's storage for one document type of the view being rebuilt, in memory.</summary>
internal sealed class InMemoryProjectionStorage<TDoc, TId>(InMemoryOperations memory) : IProjectionStorage<TDoc, TId>
    where TDoc : notnull where TId : notnull
{
    public string TenantId => "*DEFAULT*";

    public void SetIdentity(TDoc document, TId identity) => InMemoryOperations.SetId(document, identity);

    public TId Identity(TDoc document) => (TId)InMemoryOperations.IdOf(document);

    public void HardDelete(TDoc snapshot) => memory.Remove(typeof(TDoc), InMemoryOperations.IdOf(snapshot));
    public void UnDelete(TDoc snapshot) { }
    public void Store(TDoc snapshot) => memory.Put(snapshot);
    public void Delete(TId identity) => memory.Remove(typeof(TDoc), identity);
    public void HardDelete(TDoc snapshot, string tenantId) => HardDelete(snapshot);
    public void UnDelete(TDoc snapshot, string tenantId) { }

    public void Store(TDoc snapshot, TId id, string tenantId)
    {
        SetIdentity(snapshot, id);
        memory.Put(snapshot);
    }

    public void Delete(TId identity, string tenantId) => Delete(identity);

    public async Task<IReadOnlyDictionary<TId, TDoc>> LoadManyAsync(TId[] identities, CancellationToken cancellationToken)
    {
        var found = new Dictionary<TId, TDoc>();
        foreach (var document in await memory.GetManyAsync(typeof(TDoc), identities.Cast<object>(), cancellationToken))
            found[(TId)InMemoryOperations.IdOf(document)] = (TDoc)document;
        return found;
    }

    public void StoreProjection(TDoc aggregate, JasperFx.Events.IEvent? lastEvent, AggregationScope scope) => memory.Put(aggregate);

    public void ArchiveStream(TId sliceId, string tenantId) =>
        throw new NotSupportedException("A rebuild does not archive streams.");

    public async Task<TDoc> LoadAsync(TId id, CancellationToken cancellation) =>
        (TDoc)(await memory.GetManyAsync(typeof(TDoc), [id], cancellation)).FirstOrDefault()!;
}
