using System.Collections.Concurrent;
using System.Linq.Expressions;
using Backchannel.Domain.Common;
using JasperFx.Events;
using Marten;
using Npgsql;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// Reads a page of events for a rebuild with one plain query, each row's columns read as they come and its data
/// deserialized with the store's own serializer, into the same events Marten's raw event query gives: Marten reads
/// each column of each row through an awaited call of its own, which cost a rebuild more than deserializing the
/// events did. A page holding an event of a name Backchannel does not pin (<see cref="EventNames"/>) is left to
/// Marten's query (null), so that whatever Marten makes of it stays what the rebuild folds.
/// </summary>
internal sealed class EventPages(IDocumentStore store)
{
    private static readonly IReadOnlyDictionary<string, Type> Types = EventNames.All.ToDictionary(p => p.Value, p => p.Key);

    private static readonly ConcurrentDictionary<Type, Func<object, IEvent>> Wrappers = new();

    private readonly string _sql = $"""
        select seq_id, id, stream_id, version, type, timestamp, tenant_id, correlation_id, causation_id, data
        from {store.Options.Events.DatabaseSchemaName}.mt_events
        where seq_id > @after and seq_id <= @end and is_archived = false
        order by seq_id
        """;

    /// <summary>The events after <paramref name="after"/> up to <paramref name="end"/>, by sequence; null if Marten must read them.</summary>
    public async Task<List<IEvent>?> ReadAsync(long after, long end, CancellationToken ct)
    {
        var serializer = store.Options.Serializer();
        await using var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(_sql, connection);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("end", end);
        var events = new List<IEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var name = reader.GetString(4);
            if (!Types.TryGetValue(name, out var type)) return null;
            var e = Wrap(type, serializer.FromJson(type, reader, 9));
            e.Sequence = reader.GetInt64(0);
            e.Id = reader.GetGuid(1);
            e.StreamKey = reader.GetString(2);
            e.Version = reader.GetInt64(3);
            e.EventTypeName = name;
            e.Timestamp = reader.GetFieldValue<DateTimeOffset>(5);
            e.TenantId = reader.GetString(6);
            e.CorrelationId = reader.IsDBNull(7) ? null : reader.GetString(7);
            e.CausationId = reader.IsDBNull(8) ? null : reader.GetString(8);
            events.Add(e);
        }
        return events;
    }

    /// <summary>
    /// The event of <paramref name="data"/>, as Marten wraps it (<see cref="Event{T}"/>), made without its constructor:
    /// that draws a random id for every event (measured: most of the wrapping's cost), which the reader replaces at once.
    /// </summary>
    private static IEvent Wrap(Type type, object data) => Wrappers.GetOrAdd(type, static t =>
    {
        var eventType = typeof(Event<>).MakeGenericType(t);
        var data = Expression.Parameter(typeof(object));
        var wrapped = Expression.Variable(eventType);
        var body = Expression.Block([wrapped],
            Expression.Assign(wrapped, Expression.Convert(
                Expression.Call(typeof(System.Runtime.CompilerServices.RuntimeHelpers).GetMethod(nameof(System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject))!,
                    Expression.Constant(eventType)), eventType)),
            Expression.Assign(Expression.Property(wrapped, nameof(Event<object>.Data)), Expression.Convert(data, t)),
            Expression.Convert(wrapped, typeof(IEvent)));
        return Expression.Lambda<Func<object, IEvent>>(body, data).Compile();
    })(data);
}
