using Backchannel.Domain.Conversations;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Privacy;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Marten;
using Marten.Linq;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Projections;

/// <summary>
/// The views are indexed only where their queries look (a conversation's member ids, its inbox and requests lists, who may
/// read an audit entry), not over whole documents: each filter here is the one its query uses, and PostgreSQL, told not
/// to read the whole table, must answer it from the index named.
/// </summary>
public sealed class ViewIndexSpecs(AppFixture app) : AppSpec(app)
{
    private async Task<string> PlanOfAsync<T>(IQueryable<T> query) where T : notnull
    {
        var command = query.ToCommand(FetchType.FetchMany);
        await using var connection = (NpgsqlConnection)Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var noScans = new NpgsqlCommand("set local enable_seqscan = off", connection, transaction)) await noScans.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("explain " + command.CommandText, connection, transaction);
        foreach (NpgsqlParameter parameter in command.Parameters) explain.Parameters.Add(parameter.Clone());
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join('\n', lines);
    }

    /// <summary>Whether PostgreSQL plans <paramref name="query"/>, built on a fresh session, through <paramref name="index"/>.</summary>
    private async Task ShouldBeAnsweredFromAsync<T>(Func<IQuerySession, IQueryable<T>> query, string index) where T : notnull
    {
        await using var session = Store.QuerySession();
        (await PlanOfAsync(query(session))).ShouldContain(index);
    }

    [Fact]
    public Task the_inbox_is_read_from_the_index_of_who_has_the_conversation_in_their_inbox() =>
        ShouldBeAnsweredFromAsync(s => s.Query<ConversationView>().Where(InboxQueries.InInboxOf("ayu")), "mt_doc_conversationview_idx_inboxof_gin");

    [Fact]
    public Task the_requests_inbox_is_read_from_the_index_of_who_has_the_conversation_in_their_requests() =>
        ShouldBeAnsweredFromAsync(s => s.Query<ConversationView>().Where(InboxQueries.InRequestsOf("ayu")), "mt_doc_conversationview_idx_requestsof_gin");

    [Fact]
    public Task an_export_finds_the_users_conversations_from_the_index_of_their_member_ids() =>
        ShouldBeAnsweredFromAsync(s => s.Query<ConversationView>().Where(Exporting.ConversationsOf("ayu")), Exporting.MemberIdsIndex);

    [Fact]
    public async Task a_thread_page_and_its_unread_count_are_read_from_the_index_by_conversation_and_sequence()
    {
        await ShouldBeAnsweredFromAsync(s => s.Query<MessageState>().Where(m => m.ConversationId == "c1" && m.Sequence < 100 && m.Sequence >= 3)
            .OrderByDescending(m => m.Sequence).Take(51), "mt_doc_messagestate_by_conversation_and_sequence");
        await ShouldBeAnsweredFromAsync(s => s.Query<MessageState>()
            .Where(m => m.ConversationId == "c1" && m.Sequence > 4 && m.Sequence <= 90 && m.Author != "ayu" && !m.Deleted), "mt_doc_messagestate_by_conversation_and_sequence");
    }

    [Fact]
    public async Task push_items_are_found_by_their_recipients_through_one_gin_index_and_by_position_and_nothing_else_is_indexed()
    {
        await using var connection = (NpgsqlConnection)Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using (var indexes = new NpgsqlCommand("select indexname, indexdef from pg_indexes where schemaname = @schema and tablename = 'mt_doc_pushitem' order by 1", connection))
        {
            indexes.Parameters.AddWithValue("schema", Store.Options.DatabaseSchemaName);
            var definitions = new Dictionary<string, string>();
            await using var reader = await indexes.ExecuteReaderAsync();
            while (await reader.ReadAsync()) definitions[reader.GetString(0)] = reader.GetString(1);
            definitions["mt_doc_pushitem_idx_recipients"].ShouldContain("USING gin (recipients)");
            // Every index is written at every item and built again by every rebuild: one without a reader is cost only.
            definitions.Keys.ShouldBe(["mt_doc_pushitem_idx_at", "mt_doc_pushitem_idx_position", "mt_doc_pushitem_idx_recipients", "pkey_mt_doc_pushitem_id"]);
        }
        // A reader catching up names one user: told to use an index (the table is too small for the planner to choose),
        // the statement is answered by the recipients' GIN index, so the array column and its operator match the index.
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var off = new NpgsqlCommand("set local enable_seqscan = off; set local enable_indexscan = off", connection, transaction))
            await off.ExecuteNonQueryAsync();
        await using var plan = new NpgsqlCommand(
            $"explain select data from {Store.Options.DatabaseSchemaName}.mt_doc_pushitem where recipients @> array['ayu'] order by id limit 200",
            connection, transaction);
        var lines = new List<string>();
        await using (var reader = await plan.ExecuteReaderAsync())
            while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        string.Join("\n", lines).ShouldContain("mt_doc_pushitem_idx_recipients", Case.Sensitive, string.Join("\n", lines));
    }

    [Fact]
    public async Task the_indexes_as_configured_are_the_ones_the_database_has_so_a_start_changes_none()
    {
        // PostgreSQL rewrites an index's expression in its own words; if Marten read that as a change, every start would
        // drop and build the member ids' index again.
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await Store.Storage.Database.AssertDatabaseMatchesConfigurationAsync();
    }

    [Fact]
    public Task the_audit_a_user_may_read_is_found_from_the_index_of_who_may_read_it() =>
        ShouldBeAnsweredFromAsync(s => s.Query<RequestAuditEntry>().Where(AuditQueries.VisibleTo("ayu")), "mt_doc_requestauditentry_idx_visibleto_gin");
}
