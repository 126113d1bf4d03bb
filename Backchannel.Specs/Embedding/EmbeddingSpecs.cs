using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shouldly;
using Weasel.Core;
using Wolverine;
using Wolverine.Marten;

namespace Backchannel.Specs.Embedding;

/// <summary>
/// An app with a Marten store and handlers of its own embeds Backchannel with one call, in a plain generic host (no
/// ASP.NET): Backchannel keeps its events and views in a store of its own and leaves the app's store, serializer and
/// handlers as the app made them.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EmbeddingSpecs : IAsyncLifetime
{
    private const string AppSchema = "embedded_app";
    private const string BackchannelSchema = "embedded_backchannel";
    private IHost _app = null!;

    public async Task InitializeAsync()
    {
        // The schemas belong to this spec alone: start them from nothing, as a new app would.
        await using (var connection = new NpgsqlConnection(AppFixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {AppSchema} cascade; drop schema if exists {BackchannelSchema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
        _app = await Microsoft.Extensions.Hosting.Host.CreateDefaultBuilder()
            .ConfigureServices(services =>
            {
                services.AddMarten(opts =>
                    {
                        opts.Connection(AppFixture.ConnectionString);
                        opts.DatabaseSchemaName = AppSchema;
                        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
                    })
                    .IntegrateWithWolverine();
                services.AddSingleton<AppHandlerCalls>();
                services.AddBackchannel(configure: store =>
                {
                    store.ConnectionString = AppFixture.ConnectionString;
                    store.Schema = BackchannelSchema;
                });
            })
            .UseWolverine(opts => opts.Discovery.IncludeType(typeof(AppThingHandler)))
            .StartAsync();
        await _app.ResetAllMartenDataAsync<IBackchannelStore>();
        await _app.ResetAllMartenDataAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task an_app_sends_the_commands_and_reads_the_views_without_http()
    {
        var bus = _app.Services.GetRequiredService<IMessageBus>();
        var started = await bus.InvokeAsync<ConversationRequested>(new RequestConversation("embedded-1", "ayu", ["budi"], "hi from the app", null));
        started.Started.ShouldBeTrue();
        await bus.InvokeAsync(new AcceptRequest("embedded-1", "budi"));
        await bus.InvokeAsync(new SendMessage("embedded-1", "reply-1", "budi", "hello, app", null));

        await using var session = _app.Services.GetRequiredService<IBackchannelStore>().QuerySession();
        (await session.RequestsAsync("budi")).ShouldBeEmpty();
        var inbox = await session.InboxAsync("ayu");
        inbox.ShouldHaveSingleItem().UnreadCount.ShouldBe(1);
        inbox[0].LastMessage!.Text.ShouldBe("hello, app");
        var thread = (await session.ThreadAsync("budi", "embedded-1"))!;
        thread.Messages.Select(m => m.Text).ShouldBe(["hi from the app", "hello, app"]);
    }

    [Fact]
    public async Task the_embedded_domain_validates_commands_and_enforces_its_rules()
    {
        var bus = _app.Services.GetRequiredService<IMessageBus>();

        var invalid = await Should.ThrowAsync<FluentValidation.ValidationException>(() =>
            bus.InvokeAsync(new SendMessage("embedded-2", "m", "ayu", "", null)));
        invalid.Errors.ShouldContain(e => e.PropertyName == nameof(SendMessage.Text));

        await bus.InvokeAsync(new SetMessagePolicy("budi", MessagePolicy.Following));
        var refused = await bus.InvokeAsync<ConversationRequested>(new RequestConversation("embedded-2", "ayu", ["budi"], "hi", null));
        refused.RefusedBy.ShouldBe(["budi"]);
        var violation = await Should.ThrowAsync<RuleViolation>(() =>
            bus.InvokeAsync(new SendMessage("embedded-2", "m", "ayu", "anyone there?", null)));
        violation.Code.ShouldBe("conversation_not_found");
    }

    [Fact]
    public void the_apps_store_keeps_its_own_stream_identity_and_serializer()
    {
        var appStore = _app.Services.GetRequiredService<IDocumentStore>();
        var backchannel = _app.Services.GetRequiredService<IBackchannelStore>();
        ((object)appStore).ShouldNotBeSameAs(backchannel);

        appStore.Options.Events.StreamIdentity.ShouldBe(StreamIdentity.AsGuid);
        appStore.Options.Serializer().EnumStorage.ShouldBe(EnumStorage.AsInteger);
        appStore.Options.DatabaseSchemaName.ShouldBe(AppSchema);

        backchannel.Options.Events.StreamIdentity.ShouldBe(StreamIdentity.AsString);
        backchannel.Options.Serializer().EnumStorage.ShouldBe(EnumStorage.AsString);
        backchannel.Options.Serializer().Casing.ShouldBe(Casing.CamelCase);
        backchannel.Options.DatabaseSchemaName.ShouldBe(BackchannelSchema);
    }

    [Fact]
    public async Task the_apps_own_events_and_documents_stay_in_its_store_and_backchannels_in_backchannels()
    {
        var bus = _app.Services.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync(new RequestConversation("embedded-3", "ayu", ["budi"], "hi", null));
        var appStore = _app.Services.GetRequiredService<IDocumentStore>();
        var thingId = Guid.NewGuid();
        await using (var write = appStore.LightweightSession())
        {
            write.Events.StartStream<AppThing>(thingId, new AppThingHappened(thingId, AppColour.Green));
            write.Store(new AppThing { Id = thingId, Colour = AppColour.Green });
            await write.SaveChangesAsync();
        }

        await using var read = appStore.QuerySession();
        (await read.Events.FetchStreamStateAsync(thingId))!.Version.ShouldBe(1);
        var raw = await read.Query<AppThing>().Where(t => t.Id == thingId).ToJsonArray();
        raw.ShouldContain("\"Colour\": 1", customMessage: "the app's own serializer: enums as numbers, property names as declared");

        var appTables = await TablesIn(AppSchema);
        var backchannelTables = await TablesIn(BackchannelSchema);
        appTables.ShouldContain("mt_doc_appthing");
        appTables.ShouldNotContain(t => t.Contains("conversation") || t.Contains("feeditem") || t.Contains("userprofile"));
        backchannelTables.ShouldContain("mt_doc_conversationview");
        backchannelTables.ShouldNotContain("mt_doc_appthing");
        (await CountIn(BackchannelSchema, "mt_events")).ShouldBeGreaterThan(0);
        (await CountIn(AppSchema, "mt_events")).ShouldBe(1);
    }

    [Fact]
    public async Task the_apps_own_handler_is_not_retried_nor_made_transactional_by_backchannel()
    {
        var calls = _app.Services.GetRequiredService<AppHandlerCalls>();
        var bus = _app.Services.GetRequiredService<IMessageBus>();
        var thingId = Guid.NewGuid();

        await Should.ThrowAsync<JasperFx.ConcurrencyException>(() => bus.InvokeAsync(new PaintAppThing(thingId, Conflict: true)));
        calls.Count.ShouldBe(1, "Backchannel retries its own handlers on a concurrency conflict, never the app's");

        await bus.InvokeAsync(new PaintAppThing(thingId, Conflict: false));
        calls.SessionStores.ShouldAllBe(store => ReferenceEquals(store, _app.Services.GetRequiredService<IDocumentStore>()));
        await using var read = _app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        (await read.LoadAsync<AppThing>(thingId)).ShouldBeNull("the app asked for no transactions: its unsaved session is not committed for it");
    }

    private static async Task<List<string>> TablesIn(string schema)
    {
        await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select table_name from information_schema.tables where table_schema = @schema", connection);
        command.Parameters.AddWithValue("schema", schema);
        var tables = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        return tables;
    }

    private static async Task<long> CountIn(string schema, string table)
    {
        await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"select count(*) from {schema}.{table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>An app's own document, event and command, unknown to Backchannel.</summary>
public sealed class AppThing
{
    public Guid Id { get; set; }
    public AppColour Colour { get; set; }
}

public enum AppColour { Red, Green }

public sealed record AppThingHappened(Guid ThingId, AppColour Colour);

public sealed record PaintAppThing(Guid ThingId, bool Conflict);

/// <summary>What the app's handler saw, for the spec to read.</summary>
public sealed class AppHandlerCalls
{
    private int _count;
    public int Count => _count;
    public List<IDocumentStore> SessionStores { get; } = [];
    public void Called(IDocumentSession session)
    {
        Interlocked.Increment(ref _count);
        lock (SessionStores) SessionStores.Add(session.DocumentStore);
    }
}

public static class AppThingHandler
{
    public static void Handle(PaintAppThing command, IDocumentSession session, AppHandlerCalls calls)
    {
        calls.Called(session);
        session.Store(new AppThing { Id = command.ThingId, Colour = AppColour.Red });
        if (command.Conflict) throw new JasperFx.ConcurrencyException("the app's own conflict", new InvalidOperationException());
    }
}
