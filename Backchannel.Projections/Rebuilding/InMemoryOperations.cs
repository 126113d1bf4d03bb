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
/// </summary>
internal class InMemoryOperations : DispatchProxy, IStoredFeedItems
{
    private IDocumentOperations _live = null!;
    private IReadOnlySet<Type> _owned = null!;

    /// <summary>The view's documents by type, then by id.</summary>
    public Dictionary<Type, Dictionary<object, object>> Documents { get; } = [];

    /// <summary>Ids stored or deleted since the last <see cref="TakeChanged"/>, by type: what a catch-up writes again.</summary>
    private readonly Dictionary<Type, HashSet<object>> _changed = [];

    private readonly Dictionary<Type, object> _storages = [];

    /// <summary>Operations whose documents of <paramref name="owned"/> live in memory; the rest is read from <paramref name="live"/>.</summary>
    public static (IDocumentOperations Operations, InMemoryOperations Memory) Create(IDocumentOperations live, IReadOnlySet<Type> owned)
    {
        var proxy = Create<IDocumentOperations, InMemoryOperations>();
        var memory = (InMemoryOperations)(object)proxy;
        memory._live = live;
        memory._owned = owned;
        foreach (var type in owned) memory.Documents[type] = [];
        return (proxy, memory);
    }

    /// <summary>The ids changed since the last call, by type; starts a new round.</summary>
    public Dictionary<Type, HashSet<object>> TakeChanged()
    {
        var changed = _changed.ToDictionary(c => c.Key, c => new HashSet<object>(c.Value));
        _changed.Clear();
        return changed;
    }

    public void Put(object document)
    {
        var type = document.GetType();
        if (!Documents.TryGetValue(type, out var byId))
            throw new InvalidOperationException($"A rebuild of this view stored a {type.Name}, which is not one of its documents.");
        var id = IdOf(document);
        byId[id] = document;
        Changed(type).Add(id);
    }

    public void Remove(Type type, object id)
    {
        if (!Documents.TryGetValue(type, out var byId)) return;
        byId.Remove(id);
        Changed(type).Add(id);
    }

    private HashSet<object> Changed(Type type) =>
        _changed.TryGetValue(type, out var ids) ? ids : _changed[type] = [];

    public object? Get(Type type, object id) => Documents[type].GetValueOrDefault(id);

    public IReadOnlyList<FeedItem> ItemsOf(string streamKey, IReadOnlyCollection<long> positions) =>
        Documents[typeof(FeedItem)].Values.Cast<FeedItem>().Where(f => f.StreamKey == streamKey && positions.Contains(f.Position)).ToList();

    private static readonly Dictionary<Type, PropertyInfo> Ids = [];

    internal static object IdOf(object document)
    {
        PropertyInfo? property;
        lock (Ids)
            if (!Ids.TryGetValue(document.GetType(), out property))
                Ids[document.GetType()] = property = document.GetType().GetProperty("Id")
                                                    ?? throw new InvalidOperationException($"{document.GetType().Name} has no Id.");
        return property.GetValue(document)!;
    }

    internal static void SetId(object document, object id)
    {
        IdOf(document);
        PropertyInfo property;
        lock (Ids) property = Ids[document.GetType()];
        property.SetValue(document, id);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var method = targetMethod!;
        args ??= [];
        var generic = method.IsGenericMethod ? method.GetGenericArguments() : [];
        switch (method.Name)
        {
            case "FetchProjectionStorageAsync":
                return Completed(method.ReturnType, StorageFor(generic[0], generic[1]));
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
                return Completed(method.ReturnType, LoadMany(generic[0], args));
            case "LoadAsync" when generic.Length == 1 && _owned.Contains(generic[0]):
                return Completed(method.ReturnType, Get(generic[0], args[0]!));
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

    private object LoadMany(Type type, object?[] args)
    {
        var ids = args.Where(a => a is not CancellationToken).SelectMany(a => a is IEnumerable many and not string ? many.Cast<object>() : [a!]);
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(type))!;
        foreach (var id in ids)
            if (Get(type, id) is { } found) list.Add(found);
        return list;
    }

    private object StorageFor(Type document, Type id)
    {
        if (!_storages.TryGetValue(document, out var storage))
            _storages[document] = storage = Activator.CreateInstance(typeof(InMemoryProjectionStorage<,>).MakeGenericType(document, id), this)!;
        return storage;
    }

    /// <summary>A finished Task or ValueTask of <paramref name="value"/>, as <paramref name="returnType"/> says.</summary>
    private static object Completed(Type returnType, object? value)
    {
        var result = returnType.GetGenericArguments()[0];
        if (returnType.GetGenericTypeDefinition() == typeof(ValueTask<>))
            return Activator.CreateInstance(returnType, value)!;
        return typeof(Task).GetMethod(nameof(Task.FromResult))!.MakeGenericMethod(result).Invoke(null, [value])!;
    }
}

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

    public Task<IReadOnlyDictionary<TId, TDoc>> LoadManyAsync(TId[] identities, CancellationToken cancellationToken)
    {
        var found = new Dictionary<TId, TDoc>();
        foreach (var id in identities)
            if (memory.Get(typeof(TDoc), id) is TDoc document) found[id] = document;
        return Task.FromResult<IReadOnlyDictionary<TId, TDoc>>(found);
    }

    public void StoreProjection(TDoc aggregate, JasperFx.Events.IEvent? lastEvent, AggregationScope scope) => memory.Put(aggregate);

    public void ArchiveStream(TId sliceId, string tenantId) =>
        throw new NotSupportedException("A rebuild does not archive streams.");

    public Task<TDoc> LoadAsync(TId id, CancellationToken cancellation) => Task.FromResult((TDoc)memory.Get(typeof(TDoc), id)!);
}
