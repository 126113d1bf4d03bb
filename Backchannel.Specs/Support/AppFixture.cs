using Backchannel.Domain.Common;
using Alba;
using Backchannel.Host.Auth;
using JasperFx.CommandLine;
using Marten.Events;
using Marten;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Shouldly;

namespace Backchannel.Specs.Support;

/// <summary>
/// One in-process host for all database and HTTP specs: the real Program on the test database, the async daemon in
/// Solo mode, real JWT auth. Each spec resets the data first (see <see cref="AppSpec"/>).
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string SigningKey = "specs-signing-key-of-at-least-thirty-two-bytes";

    public IAlbaHost Host { get; private set; } = null!;

    /// <summary>Everything the host logs, through the host's own logging configuration.</summary>
    public LogCapture Logs { get; } = new();

    /// <summary>The spans of the traces a spec watches (<see cref="SpanRecorder.Watch"/>).</summary>
    public SpanRecorder Spans { get; } = new();

    /// <summary>The host's clock: the system's unless a spec sets it (released before each spec).</summary>
    public SpecClock Clock { get; } = new();

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("BACKCHANNEL_TEST_CONNECTION")
        ?? "Host=127.0.0.1;Port=5432;Database=backchannel_tests;Username=backchannel;Password=backchannel;Maximum Pool Size=40";

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Environment.SetEnvironmentVariable("ConnectionStrings__Backchannel", ConnectionString);
        Environment.SetEnvironmentVariable("Backchannel__Auth__SigningKey", SigningKey);
        Environment.SetEnvironmentVariable("ASPNETCORE_ENVIRONMENT", "Development");
        // A quiet push stream's heartbeat within a spec's patience.
        Environment.SetEnvironmentVariable("Backchannel__PushHeartbeat", "00:00:01");
        // The OpenTelemetry SDK as an operator's exporter would have it; the specs read it through Spans.
        Environment.SetEnvironmentVariable("Backchannel__Telemetry__Enabled", "true");
        Environment.SetEnvironmentVariable("Backchannel__Cors__Origins__0", Push.BrowserPushSpecs.AppOrigin);
        Host = await AlbaHost.For<Program>(web => web.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddSingleton<TimeProvider>(Clock);
            services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(Spans));
        }));
        await Host.DocumentStore<IBackchannelStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await ForgetEarlierVersionsAsync();
    }

    /// <summary>
    /// The test database outlives the code's versions: the schemas earlier runs left may hold what a store of an
    /// earlier version holds (the thread's own table, messages without their conversation), which readiness reports
    /// as a store to rebuild. Specs start from what this version writes; the upgrade itself has its own spec.
    /// </summary>
    private static async Task ForgetEarlierVersionsAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var statements = new List<string>();
        await using (var tables = new Npgsql.NpgsqlCommand("""
            select format('drop table %I.%I', schemaname, tablename) from pg_tables where tablename in ('mt_doc_threadmessage', 'mt_doc_feeditem')
            union all
            select format('delete from %I.%I where conversation_id is null', c.table_schema, c.table_name)
            from information_schema.columns c where c.table_name = 'mt_doc_messagestate' and c.column_name = 'conversation_id'
            """, connection))
        await using (var reader = await tables.ExecuteReaderAsync())
            while (await reader.ReadAsync()) statements.Add(reader.GetString(0));
        foreach (var sql in statements)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();

    public string TokenFor(string userId, bool isOperator = false) =>
        Host.Services.GetRequiredService<TokenIssuer>().Mint(userId, isOperator);
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}

/// <summary>Base of every spec that needs the database: resets all data before each test.</summary>
[Collection(AppCollection.Name)]
public abstract class AppSpec(AppFixture app) : IAsyncLifetime
{
    protected AppFixture App { get; } = app;
    protected IAlbaHost Host => App.Host;
    protected IDocumentStore Store => Host.DocumentStore<IBackchannelStore>();

    public virtual Task InitializeAsync()
    {
        App.Clock.Release();
        return Host.ResetAllMartenDataAsync<IBackchannelStore>();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A caller with a real token for <paramref name="userId"/>.</summary>
    protected Caller As(string userId, bool isOperator = false) => new(Host, App.TokenFor(userId, isOperator));

    /// <summary>Opens <paramref name="userId"/>'s push stream, streamed as it is written (TestServer passes each flush on).</summary>
    protected Task<PushStream> Listen(string userId, string? lastEventId = null, bool inQuery = false) =>
        PushStream.OpenAsync(Host.Server.CreateClient(), App.TokenFor(userId), lastEventId, inQuery);

    /// <summary>
    /// Opens <paramref name="userId"/>'s stream once the feed has caught up with everything so far, and takes its
    /// <c>ready</c>: what the stream sends next is what happens from now on.
    /// </summary>
    protected async Task<PushStream> ListenFromNow(string userId)
    {
        await AsyncViewsCaughtUp();
        var stream = await Listen(userId);
        (await stream.NextAsync()).Kind.ShouldBe("ready");
        return stream;
    }

    /// <summary>Waits until the async views (the audit) have caught up with every event appended so far.</summary>
    protected Task AsyncViewsCaughtUp() => Host.WaitForNonStaleProjectionDataAsync<IBackchannelStore>(TimeSpan.FromSeconds(30));
}
