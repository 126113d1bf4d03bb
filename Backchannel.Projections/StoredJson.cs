using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Backchannel.Projections;

/// <summary>
/// How the store writes JSON: the properties of Backchannel's own objects (its events and documents) in the order
/// PostgreSQL keeps a <c>jsonb</c> object's keys (shorter names first, then byte by byte). <c>jsonb</c> sorts each
/// object's keys as it takes a value in; keys already in its order cost it one pass of comparisons instead of a sort,
/// for every document and event written (a rebuild's COPY spent more on that sort than on anything else of parsing:
/// docs/benchmarks.md). The order means nothing to readers: <c>jsonb</c> gives the keys back in its own order whatever
/// was written, and deserializing does not care. A dictionary's keys and a raw JSON payload keep the order they have;
/// an app's own types (a store shared with the app) and a type that orders its properties itself are left as they are.
/// </summary>
internal static class StoredJson
{
    /// <summary>Adds the ordering to the options Marten serializes with.</summary>
    public static void Configure(JsonSerializerOptions options) =>
        options.TypeInfoResolver = (options.TypeInfoResolver ?? new DefaultJsonTypeInfoResolver()).WithAddedModifier(InJsonbOrder);

    /// <summary>Puts the properties of an object's contract in <c>jsonb</c>'s order of keys.</summary>
    internal static void InJsonbOrder(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object || type.Properties.Count < 2 || !Own.Contains(type.Type.Assembly)) return;
        if (type.Properties.Any(p => p.Order != 0)) return;
        var ordered = type.Properties.OrderBy(p => Encoding.UTF8.GetBytes(p.Name), JsonbKeyOrder.Instance).ToList();
        type.Properties.Clear();
        for (var i = 0; i < ordered.Count; i++)
        {
            ordered[i].Order = i;
            type.Properties.Add(ordered[i]);
        }
    }

    /// <summary>Backchannel's assemblies: the types whose order it chooses.</summary>
    private static readonly HashSet<System.Reflection.Assembly> Own = [typeof(StoredJson).Assembly, typeof(Domain.Conversations.Conversation).Assembly];

    /// <summary><c>jsonb</c>'s order of keys: by length in bytes, then byte by byte.</summary>
    private sealed class JsonbKeyOrder : IComparer<byte[]>
    {
        public static readonly JsonbKeyOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) =>
            x!.Length != y!.Length ? x.Length.CompareTo(y.Length) : x.AsSpan().SequenceCompareTo(y);
    }
}
