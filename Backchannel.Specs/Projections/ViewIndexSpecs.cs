using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Privacy;
using Backchannel.Specs.Support;
using Marten;
using Marten.Linq;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Projections;

/// <summary>
/// The views are indexed only where their queries look (a conversation's members, its inbox and requests lists, who may
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
    public Task an_export_finds_the_users_conversations_from_the_index_of_their_members() =>
        ShouldBeAnsweredFromAsync(s => s.Query<ConversationView>().Where(Exporting.ConversationsOf("ayu")), "mt_doc_conversationview_idx_members_gin");

    [Fact]
    public Task the_audit_a_user_may_read_is_found_from_the_index_of_who_may_read_it() =>
        ShouldBeAnsweredFromAsync(s => s.Query<RequestAuditEntry>().Where(AuditQueries.VisibleTo("ayu")), "mt_doc_requestauditentry_idx_visibleto_gin");
}
