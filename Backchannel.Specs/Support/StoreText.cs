using Marten;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Support;

/// <summary>Searches the store's own tables in PostgreSQL, events included, for a piece of text.</summary>
public static class StoreText
{
    /// <summary>
    /// Every <c>schema.table.column</c> of the store's schemas (taken from its options) whose text, JSON or character
    /// columns hold <paramref name="needle"/> anywhere, with the number of rows.
    /// </summary>
    public static async Task<IReadOnlyList<string>> FindAsync(IDocumentStore store, string needle)
    {
        string[] schemas = [store.Options.DatabaseSchemaName, store.Options.Events.DatabaseSchemaName];
        await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var list = new NpgsqlCommand(
                         "select c.table_schema, c.table_name, c.column_name from information_schema.columns c " +
                         "join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name " +
                         "where c.table_schema = any(@schemas) and t.table_type = 'BASE TABLE' " +
                         "and c.data_type in ('text', 'jsonb', 'json', 'character varying', 'character')", connection))
        {
            list.Parameters.AddWithValue("schemas", schemas.Distinct().ToArray());
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }
        columns.ShouldNotBeEmpty();
        var hits = new List<string>();
        foreach (var (schema, table, column) in columns)
        {
            await using var count = new NpgsqlCommand(
                $"select count(*) from \"{schema}\".\"{table}\" where strpos(\"{column}\"::text, @needle) > 0", connection);
            count.Parameters.AddWithValue("needle", needle);
            var rows = (long)(await count.ExecuteScalarAsync())!;
            if (rows > 0) hits.Add($"{schema}.{table}.{column} ({rows})");
        }
        return hits;
    }
}
