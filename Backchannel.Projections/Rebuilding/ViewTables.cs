using System.Buffers;
using System.Text.RegularExpressions;
using Backchannel.Domain.Conversations;
using Marten;
using Marten.Schema;
using Npgsql;
using NpgsqlTypes;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// The tables of a view being rebuilt. Each document type gets a fresh table in a schema beside the live one
/// (<c>{schema}_rebuild</c>), shaped like the live table but without its indexes; the documents go in with Marten's
/// own bulk loader (binary COPY, the columns Marten writes); the live table's indexes are built on it afterwards,
/// under their live names, and it is vacuumed and analyzed. Switching moves it into the live schema in place of
/// the live table, in one transaction.
/// <para>
/// The messages (<see cref="MessageState"/>, most of a rebuild's documents) are copied by a writer of the rebuild's own
/// instead: the same columns and values as the loader's, each document serialized straight to UTF-8, where the loader
/// makes a string of each and boxes every column's value. It writes only a fresh table whose columns are exactly the
/// ones it knows (<see cref="WritesOwnRows"/>); a column added to that table turns it off, and the loader copies.
/// </para>
/// </summary>
internal sealed partial class ViewTables(IDocumentStore store, Type document)
{
    private readonly StoreOptions _options = (StoreOptions)store.Options;

    public Type Document { get; } = document;

    public string Schema => _options.DatabaseSchemaName;

    public string Scratch => $"{Schema}_rebuild";

    /// <summary>The live table's name, unqualified.</summary>
    public string Live => _live ??= ((IReadOnlyStoreOptions)_options).FindOrResolveDocumentType(Document).TableName.Name;

    private string? _live;
    private string? _fresh;
    private object? _loader;

    /// <summary>The name Marten's bulk loader copies into, unqualified: the fresh table is given it.</summary>
    public string Fresh
    {
        get
        {
            if (_fresh is not null) return _fresh;
            var create = (string)Loader().GetType().GetMethod("CreateTempTableForCopying")!.Invoke(Loader(), null)!;
            var name = TempTable().Match(create);
            if (!name.Success || name.Groups[1].Value.Contains('.'))
                throw new NotSupportedException($"Marten's bulk loader for {Document.Name} copies into a table this rebuild cannot stand in for: {create}");
            return _fresh = name.Groups[1].Value;
        }
    }

    [GeneratedRegex(@"create\s+temp(?:orary)?\s+table\s+(?:if\s+not\s+exists\s+)?([\w\.""]+)", RegexOptions.IgnoreCase)]
    private static partial Regex TempTable();

    [GeneratedRegex(@"\sON\s+(?:ONLY\s+)?\S+\s+USING\s", RegexOptions.IgnoreCase)]
    private static partial Regex IndexTarget();

    private object Loader() => _loader ??= FindLoader();

    private object FindLoader()
    {
        // Marten keeps its document providers internal; the bulk loader they hold is the one BulkInsertAsync uses.
        var providers = typeof(StoreOptions).GetProperty("Providers", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(_options)!;
        var provider = typeof(Weasel.Storage.IProviderGraph).GetMethod("StorageFor")!.MakeGenericMethod(Document).Invoke(providers, null)!;
        return provider.GetType().GetProperty("BulkLoader")!.GetValue(provider)!;
    }

    /// <summary>A fresh, empty table like the live one, without indexes, in the scratch schema.</summary>
    public async Task CreateFreshAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        // The loader's own table for copying (the live table's columns and what it copies besides), made a real
        // table in the scratch schema instead of a temporary one.
        var create = (string)Loader().GetType().GetMethod("CreateTempTableForCopying")!.Invoke(Loader(), null)!;
        await ExecuteAsync(connection, ct,
            $"create schema if not exists {Scratch}",
            $"drop table if exists {Scratch}.{Fresh}",
            $"set search_path to {Scratch}",
            TemporaryKeyword().Replace(create, "create table "),
            "reset search_path");
        await ReadColumnsAsync(connection, ct);
    }

    /// <summary>Reads the fresh table's columns: whether the rebuild's own writer fills them (<see cref="WritesOwnRows"/>).</summary>
    internal async Task ReadColumnsAsync(NpgsqlConnection connection, CancellationToken ct) =>
        WritesOwnRows = Document == typeof(MessageState) && (await ColumnsAsync(connection, Scratch, Fresh, ct)).SequenceEqual(MessageStateColumns);

    /// <summary>The columns of a message's row, in the fresh table's order, as the rebuild's own writer fills them.</summary>
    private static readonly string[] MessageStateColumns =
        ["id", "data", "mt_last_modified", "mt_dotnet_type", "mt_version", "conversation_id", "sequence", "mt_expected_version"];

    /// <summary>Whether <see cref="CopyAsync"/> writes the rows itself (the fresh table is the one it knows) rather than with Marten's loader.</summary>
    public bool WritesOwnRows { get; private set; }

    /// <summary>The columns of <paramref name="schema"/>.<paramref name="table"/>, in order.</summary>
    private static async Task<List<string>> ColumnsAsync(NpgsqlConnection connection, string schema, string table, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select column_name from information_schema.columns where table_schema = @schema and table_name = @table order by ordinal_position", connection);
        command.Parameters.AddWithValue("schema", schema);
        command.Parameters.AddWithValue("table", table);
        var columns = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) columns.Add(reader.GetString(0));
        return columns;
    }

    [GeneratedRegex(@"create\s+temp(?:orary)?\s+table\s+", RegexOptions.IgnoreCase)]
    private static partial Regex TemporaryKeyword();

    /// <summary>The columns of the fresh table the live one does not have (the loader's own), dropped before the switch.</summary>
    public async Task<IReadOnlyList<string>> ExtraColumnsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var live = await ColumnsAsync(connection, Schema, Live, ct);
        return (await ColumnsAsync(connection, Scratch, Fresh, ct)).Where(c => !live.Contains(c)).ToList();
    }

    /// <summary>Copies <paramref name="documents"/> into the fresh table: with the rebuild's own writer where it <see cref="WritesOwnRows"/>, else with Marten's bulk loader.</summary>
    public Task CopyAsync(NpgsqlConnection connection, IEnumerable<object> documents, CancellationToken ct) =>
        WritesOwnRows ? CopyMessageStatesAsync(connection, documents.Cast<MessageState>(), ct) : CopyWithLoaderAsync(connection, documents, ct);

    /// <summary>
    /// Copies messages as Marten's loader would: the same columns and values (a first revision, the type's name, the
    /// duplicated conversation and sequence, the time of the copy), the document serialized by the store's serializer.
    /// </summary>
    private async Task CopyMessageStatesAsync(NpgsqlConnection connection, IEnumerable<MessageState> messages, CancellationToken ct)
    {
        var serializer = _options.Serializer();
        var type = typeof(MessageState).FullName!;
        var now = DateTimeOffset.UtcNow;
        var json = new ArrayBufferWriter<byte>(1024);
        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy {Scratch}.{Fresh} ({string.Join(", ", MessageStateColumns)}) from stdin (format binary)", ct);
        copy.Timeout = TimeSpan.Zero;
        foreach (var message in messages)
        {
            json.ResetWrittenCount();
            serializer.WriteTo(json, message);
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(message.Id, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(json.WrittenMemory, NpgsqlDbType.Jsonb, ct);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync(type, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(1L, NpgsqlDbType.Bigint, ct);
            await copy.WriteAsync(message.ConversationId, NpgsqlDbType.Varchar, ct);
            await copy.WriteAsync(message.Sequence, NpgsqlDbType.Bigint, ct);
            // The loader's own column (dropped at the switch): no version was expected of a document new to the table.
            await copy.WriteNullAsync(ct);
        }
        await copy.CompleteAsync(ct);
    }

    /// <summary>Copies <paramref name="documents"/> into the fresh table with Marten's bulk loader.</summary>
    internal Task CopyWithLoaderAsync(NpgsqlConnection connection, IEnumerable<object> documents, CancellationToken ct) =>
        (Task)typeof(ViewTables).GetMethod(nameof(CopyTypedAsync), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
            .MakeGenericMethod(Document).Invoke(this, [connection, documents, ct])!;

    private async Task CopyTypedAsync<T>(NpgsqlConnection connection, IEnumerable<object> documents, CancellationToken ct)
    {
        var loader = (Marten.Schema.BulkLoading.IBulkLoader<T>)Loader();
        // The loader copies into its table by its bare name: on this connection that name is the fresh table.
        await ExecuteAsync(connection, ct, $"set search_path to {Scratch}");
        try
        {
            await loader.LoadIntoTempTableAsync(_options.Tenancy.Default, _options.Serializer(), connection, documents.Cast<T>(), ct);
        }
        finally
        {
            await ExecuteAsync(connection, CancellationToken.None, "reset search_path");
        }
    }

    /// <summary>
    /// Reads documents back from the fresh table, as Marten reads a stored document: by id, or (feed items) by
    /// position. Without its indexes yet, this scans the table: it serves the events that change a document long after
    /// the last one did.
    /// </summary>
    public async Task<IReadOnlyList<object>> ReadAsync(NpgsqlConnection connection, ColdQuery query, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(query.Ids is { } ids
            ? $"select data::text from {Scratch}.{Fresh} where id = any(@values)"
            : $"select data::text from {Scratch}.{Fresh} where position = any(@values)", connection);
        command.CommandTimeout = 0;
        command.Parameters.AddWithValue("values", query.Ids is { } keys ? Typed(keys) : query.Positions!);
        var serializer = _options.Serializer();
        var documents = new List<object>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            using var json = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0)));
            documents.Add(serializer.FromJson(Document, json));
        }
        return documents;
    }

    private static Array Typed(IReadOnlyCollection<object> ids)
    {
        var typed = Array.CreateInstance(ids.First().GetType(), ids.Count);
        var i = 0;
        foreach (var id in ids) typed.SetValue(id, i++);
        return typed;
    }

    /// <summary>Deletes the documents of <paramref name="ids"/> from the fresh table.</summary>
    public Task DeleteAsync(NpgsqlConnection connection, IReadOnlyCollection<object> ids, CancellationToken ct)
    {
        var command = new NpgsqlCommand($"delete from {Scratch}.{Fresh} where id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", Typed(ids));
        return command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The live table's indexes and primary key, built on the fresh table under the same names.</summary>
    public async Task IndexAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var statements = new List<string>();
        await using (var query = new NpgsqlCommand("""
            select pg_get_indexdef(i.oid), c.conname, pg_get_constraintdef(c.oid)
            from pg_index x
            join pg_class i on i.oid = x.indexrelid
            join pg_class t on t.oid = x.indrelid
            join pg_namespace n on n.oid = t.relnamespace
            left join pg_constraint c on c.conindid = i.oid and c.conrelid = t.oid
            where n.nspname = @schema and t.relname = @table
            order by c.conname is null, i.relname
            """, connection))
        {
            query.Parameters.AddWithValue("schema", Schema);
            query.Parameters.AddWithValue("table", Live);
            await using var reader = await query.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                statements.Add(reader.IsDBNull(1)
                    ? IndexTarget().Replace(reader.GetString(0), $" ON {Scratch}.{Fresh} USING ", 1)
                    : $"alter table {Scratch}.{Fresh} add constraint {reader.GetString(1)} {reader.GetString(2)}");
        }
        await ExecuteAsync(connection, ct, ["set maintenance_work_mem = '256MB'", .. statements]);
    }

    /// <summary>Vacuums and analyzes the fresh table (outside any transaction).</summary>
    public Task VacuumAsync(NpgsqlConnection connection, CancellationToken ct) =>
        ExecuteAsync(connection, ct, $"vacuum analyze {Scratch}.{Fresh}");

    /// <summary>The statements that put the fresh table in the live one's place (in the caller's transaction, under its lock).</summary>
    public IEnumerable<string> SwitchStatements(IReadOnlyList<string> extraColumns) =>
    [
        .. extraColumns.Select(c => $"alter table {Scratch}.{Fresh} drop column {c}"),
        $"drop table {Schema}.{Live}",
        $"alter table {Scratch}.{Fresh} set schema {Schema}",
        $"alter table {Schema}.{Fresh} rename to {Live}",
    ];

    internal static async Task ExecuteAsync(NpgsqlConnection connection, CancellationToken ct, params string[] statements)
    {
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(ct);
        }
    }
}
