using System.Collections.Immutable;
using Backchannel.Domain.Conversations;
using Backchannel.Projections.Rebuilding;
using Backchannel.Specs.Support;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Replay;

/// <summary>
/// A rebuild copies the messages with a writer of its own, not Marten's loader: it must write what the loader writes,
/// column for column, and give way to the loader when the table has a column it does not know.
/// </summary>
public sealed class MessageRowsSpecs(AppFixture app) : AppSpec(app)
{
    private static readonly DateTimeOffset At = new(2026, 12, 4, 20, 15, 30, 123, TimeSpan.Zero);

    private static List<MessageState> Messages() =>
    [
        MessageState.Create(new MessageSent("chat-1", "m-1", 1, "ayu", "hai semua 👋 \"quoted\" \\ back\nslash", null, At)),
        new MessageState("budi", 2, false, [new EmojiReactions("🔥", ["ayu", "cici"])], ImmutableHashSet.Create("cici"))
        {
            Id = MessageState.Key("chat-1", "m-2"), MessageId = "m-2", ConversationId = "chat-1", Text = "edited", ReplyTo = "m-1",
            SentAt = At.AddTicks(7), EditedAt = At.AddMinutes(1), Edits = 2,
        },
        new MessageState("cici", 3, true, [], [])
        {
            Id = MessageState.Key("chat-2", "m-3"), MessageId = "m-3", ConversationId = "chat-2", ThanksTo = "ayu",
            SentAt = At, DeletedAt = At.AddHours(1), RemovedByModeration = true,
        },
        .. Enumerable.Range(4, 300).Select(i => MessageState.Create(new MessageSent("chat-3", $"m-{i}", i, "ayu", new string('x', i * 13), null, At.AddSeconds(i)))),
    ];

    [Fact]
    public async Task the_rebuilds_own_writer_copies_the_messages_exactly_as_martens_loader_does()
    {
        var table = new ViewTables(Store, typeof(MessageState));
        await using var connection = await OpenAsync();
        try
        {
            await table.CreateFreshAsync(connection, CancellationToken.None);
            table.WritesOwnRows.ShouldBeTrue($"the messages' table has the columns the rebuild's writer knows, not {await ColumnsAsync(connection, table)}");

            await table.CopyAsync(connection, Messages(), CancellationToken.None);
            var own = await RowsAsync(connection, table);
            await ViewTables.ExecuteAsync(connection, CancellationToken.None, $"truncate {table.Scratch}.{table.Fresh}");
            await table.CopyWithLoaderAsync(connection, Messages(), CancellationToken.None);
            var loader = await RowsAsync(connection, table);

            own.Count.ShouldBe(Messages().Count);
            own.ShouldBe(loader);
        }
        finally
        {
            await ViewTables.ExecuteAsync(connection, CancellationToken.None, $"drop schema if exists {table.Scratch} cascade");
        }
    }

    [Fact]
    public async Task a_column_the_writer_does_not_know_hands_the_copy_back_to_martens_loader()
    {
        var table = new ViewTables(Store, typeof(MessageState));
        await using var connection = await OpenAsync();
        try
        {
            await table.CreateFreshAsync(connection, CancellationToken.None);
            // As a registration that duplicated one more of a message's fields would shape it.
            await ViewTables.ExecuteAsync(connection, CancellationToken.None, $"alter table {table.Scratch}.{table.Fresh} add column author varchar");

            await table.ReadColumnsAsync(connection, CancellationToken.None);

            table.WritesOwnRows.ShouldBeFalse();
            await table.CopyAsync(connection, Messages(), CancellationToken.None);
            (await RowsAsync(connection, table)).Count.ShouldBe(Messages().Count);
        }
        finally
        {
            await ViewTables.ExecuteAsync(connection, CancellationToken.None, $"drop schema if exists {table.Scratch} cascade");
        }
    }

    /// <summary>Every column of every row but the time of the copy, which must be set; the document as PostgreSQL holds it.</summary>
    private static async Task<List<string>> RowsAsync(NpgsqlConnection connection, ViewTables table)
    {
        await using var command = new NpgsqlCommand(
            $"select id, data::text, mt_dotnet_type, mt_version, conversation_id, sequence, mt_expected_version, mt_last_modified is not null from {table.Scratch}.{table.Fresh} order by id", connection);
        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        return rows;
    }

    private static async Task<string> ColumnsAsync(NpgsqlConnection connection, ViewTables table)
    {
        await using var command = new NpgsqlCommand(
            "select string_agg(column_name, ', ' order by ordinal_position) from information_schema.columns where table_schema = @schema and table_name = @table", connection);
        command.Parameters.AddWithValue("schema", table.Scratch);
        command.Parameters.AddWithValue("table", table.Fresh);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = (NpgsqlConnection)Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        return connection;
    }
}
