using Marten;
using Npgsql;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// Which version of each view is live: a row per view, written in the transaction that switches a rebuilt view in,
/// so the generation read is always the one readers are served.
/// </summary>
internal static class ViewGenerations
{
    public const string Table = "bc_view_generations";

    public static async Task EnsureAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await ViewTables.ExecuteAsync(connection, ct,
            $"create schema if not exists {store.Options.DatabaseSchemaName}",
            $"create table if not exists {store.Options.DatabaseSchemaName}.{Table} (view text primary key, generation integer not null, rebuilt_at timestamptz not null, position bigint not null)");
    }

    public static async Task RecordAsync(NpgsqlConnection connection, IDocumentStore store, string view, long position, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            insert into {store.Options.DatabaseSchemaName}.{Table} as g (view, generation, rebuilt_at, position) values (@view, 1, now(), @position)
            on conflict (view) do update set generation = g.generation + 1, rebuilt_at = excluded.rebuilt_at, position = excluded.position
            """, connection);
        command.Parameters.AddWithValue("view", view);
        command.Parameters.AddWithValue("position", position);
        await command.ExecuteNonQueryAsync(ct);
    }

    public static async Task<IReadOnlyList<ViewRebuilder.Generation>> ReadAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select to_regclass(@table) is not null", connection);
        exists.Parameters.AddWithValue("table", $"{store.Options.DatabaseSchemaName}.{Table}");
        var rows = new Dictionary<string, ViewRebuilder.Generation>();
        if ((bool)(await exists.ExecuteScalarAsync(ct))!)
        {
            await using var query = new NpgsqlCommand($"select view, generation, rebuilt_at, position from {store.Options.DatabaseSchemaName}.{Table}", connection);
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows[reader.GetString(0)] = new ViewRebuilder.Generation(reader.GetString(0), reader.GetInt32(1),
                    reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3));
        }
        // A view never rebuilt is the one its inline writes or the daemon built: generation 0.
        return ViewRebuilder.All.Select(v => rows.GetValueOrDefault(v.Name) ?? new ViewRebuilder.Generation(v.Name, 0, null, 0)).ToList();
    }
}
