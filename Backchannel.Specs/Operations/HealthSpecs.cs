using Backchannel.Domain.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.Host;
using Backchannel.Host.Http;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Shouldly;

namespace Backchannel.Specs.Operations;

/// <summary>
/// Liveness asks nothing of the database; readiness tells the truth about it: unhealthy (503) when the database does
/// not answer, degraded when an async view trails by more than <c>Backchannel:Health:MaxViewLag</c> events, and every
/// async view listed with its position, even on a database where the daemon never ran.
/// </summary>
/// <remarks>
/// A host of its own, with no daemon, in a schema of its own so that its views stay where the spec leaves them, and
/// reaching PostgreSQL through a relay the spec can cut: the shared server keeps running for every other spec.
/// </remarks>
[Collection(AppCollection.Name)]
public sealed class HealthSpecs : IAsyncLifetime
{
    private const string Schema = "health_specs";
    private static readonly string[] AsyncViews = ["ModerationAudit:All", "PushFeed:All", "RequestAudit:All", "RoomAudit:All"];
    private TcpRelay _relay = null!;
    private WebApplication _node = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var target = new Npgsql.NpgsqlConnectionStringBuilder(AppFixture.ConnectionString);
        _relay = new TcpRelay(target.Host!, target.Port);
        _node = BackchannelHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Backchannel"] = _relay.Through(AppFixture.ConnectionString),
                ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
                ["Backchannel:Daemon"] = nameof(Backchannel.Projections.DaemonChoice.Off),
                ["Backchannel:Schema"] = Schema,
                ["Backchannel:Health:MaxViewLag"] = "2",
            });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await _node.StartAsync();
        await _node.Services.GetRequiredService<IBackchannelStore>().Advanced.ResetAllData();
        var address = _node.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _relay.Restore();
        _http.Dispose();
        await _node.StopAsync();
        await _node.DisposeAsync();
        await _relay.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, HealthEndpoint.Health Health)> Get(string path)
    {
        using var response = await _http.GetAsync(path);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<HealthEndpoint.Health>(JsonSerializerOptions.Web))!);
    }

    private async Task Append(int events)
    {
        await using var session = _node.Services.GetRequiredService<IBackchannelStore>().LightweightSession();
        for (var i = 0; i < events; i++)
            session.Events.Append($"h{Guid.NewGuid():N}"[..20], new Backchannel.Domain.People.UserFollowed($"health_{i}", "budi", DateTimeOffset.UtcNow));
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task on_a_fresh_database_ready_is_healthy_and_lists_every_async_view_at_its_position()
    {
        foreach (var path in (string[])["/health/ready", "/health"])
        {
            var (status, health) = await Get(path);
            status.ShouldBe(HttpStatusCode.OK, path);
            health.Status.ShouldBe("healthy", path);
            health.Projections.Select(p => p.Name).ShouldBe(AsyncViews, path);
            health.Projections.ShouldAllBe(p => p.Sequence == 0 && p.Behind == 0, path);
        }
    }

    [Fact]
    public async Task ready_is_degraded_once_an_async_view_trails_by_more_than_the_setting_and_not_before()
    {
        await Append(2);
        (await Get("/health/ready")).Health.Status.ShouldBe("healthy", "2 behind is within the setting");

        await Append(1);

        foreach (var path in (string[])["/health/ready", "/health"])
        {
            var (status, health) = await Get(path);
            status.ShouldBe(HttpStatusCode.OK, $"{path}: degraded still serves");
            health.Status.ShouldBe("degraded", path);
            health.Projections.Select(p => p.Name).ShouldBe(AsyncViews, path);
            health.Projections.ShouldAllBe(p => p.Behind == 3, path);
        }
    }

    [Fact]
    public async Task with_the_database_down_ready_is_unhealthy_503_and_live_still_answers()
    {
        (await Get("/health/ready")).Status.ShouldBe(HttpStatusCode.OK);

        _relay.Cut();

        foreach (var path in (string[])["/health/ready", "/health"])
        {
            var (status, health) = await Get(path);
            status.ShouldBe(HttpStatusCode.ServiceUnavailable, path);
            health.Status.ShouldBe("unhealthy", path);
        }
        using var live = await _http.GetAsync("/health/live");
        live.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await live.Content.ReadAsStringAsync()).ShouldBe("""{"status":"healthy"}""");

        _relay.Restore();
        (await Get("/health/ready")).Health.Status.ShouldBe("healthy", "ready again once the database answers");
    }

    [Fact]
    public async Task a_store_whose_messages_predate_the_thread_reading_them_is_not_ready_until_the_threads_are_rebuilt()
    {
        var store = await StoreWithAGroupRequestAsync();
        try
        {
            // What the version before a message was stored once leaves: the thread's own table, with its copy of the
            // text, and message documents that know neither their conversation nor their text.
            await Sql($"create table {Schema}.mt_doc_threadmessage (id varchar primary key, data jsonb not null)");
            await Sql($$"""insert into {{Schema}}.mt_doc_threadmessage values ('{{History.ConversationId}}/m1', '{"text":"Join us after the room?"}')""");
            await Sql($"update {Schema}.mt_doc_messagestate set conversation_id = null, data = data - 'conversationId' - 'text'");

            var (status, health) = await Get("/health/ready");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            health.Database.ShouldContain("rebuild --view threads");

            await store.RebuildAsync("threads", new SynchronousProgress<Backchannel.Projections.ViewRebuilder.Progress>(_ => { }));

            (await store.ViewsToRebuildAsync()).ShouldBeEmpty();
            (await Get("/health/ready")).Status.ShouldBe(HttpStatusCode.OK);
            await using var query = store.QuerySession();
            (await query.LoadAsync<Backchannel.Domain.Conversations.MessageState>(
                Backchannel.Domain.Conversations.MessageState.Key(History.ConversationId, "m1")))!.Text.ShouldBe("Join us after the room?");
            ((bool)(await Sql($"select to_regclass('{Schema}.mt_doc_threadmessage') is null"))!).ShouldBeTrue("the old table and its copies of the text leave with the rebuild");
        }
        finally
        {
            await Sql($"drop table if exists {Schema}.mt_doc_threadmessage");
            await store.Advanced.ResetAllData();
        }
    }
    [Fact]
    public async Task a_store_whose_push_feed_predates_items_told_once_is_not_ready_until_the_push_feed_is_rebuilt()
    {
        var store = await StoreWithAGroupRequestAsync();
        try
        {
            // What the version before an item was stored once leaves: an item per recipient, keyed by text.
            await Sql($"create table {Schema}.mt_doc_feeditem (id varchar primary key, data jsonb not null, user_id varchar)");
            await Sql($$"""insert into {{Schema}}.mt_doc_feeditem values ('ayu:1', '{"kind":"message"}', 'ayu')""");

            var (status, health) = await Get("/health/ready");
            status.ShouldBe(HttpStatusCode.ServiceUnavailable);
            health.Database.ShouldContain("rebuild --view push");
            health.Database.ShouldNotContain("rebuild --view threads");

            await store.RebuildAsync("push", new SynchronousProgress<Backchannel.Projections.ViewRebuilder.Progress>(_ => { }));

            (await store.ViewsToRebuildAsync()).ShouldBeEmpty();
            (await Get("/health/ready")).Status.ShouldBe(HttpStatusCode.OK);
            ((bool)(await Sql($"select to_regclass('{Schema}.mt_doc_feeditem') is null"))!).ShouldBeTrue("the old feed leaves with the rebuild");
            await using var query = store.QuerySession();
            (await query.Query<Backchannel.Projections.Push.FeedItem>().CountAsync()).ShouldBeGreaterThan(0, "the feed is rebuilt into its new table");
        }
        finally
        {
            await Sql($"drop table if exists {Schema}.mt_doc_feeditem");
            await store.Advanced.ResetAllData();
        }
    }

    private async Task<IBackchannelStore> StoreWithAGroupRequestAsync()
    {
        var store = _node.Services.GetRequiredService<IBackchannelStore>();
        await using var session = store.LightweightSession();
        session.Events.Append(History.ConversationId, History.GroupRequest());
        await session.SaveChangesAsync();
        return store;
    }

    private static async Task<object?> Sql(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
