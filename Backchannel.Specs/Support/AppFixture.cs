using Backchannel.Domain.Common;
using Alba;
using Backchannel.Host.Auth;
using JasperFx.CommandLine;
using Marten.Events;
using Marten;
using Microsoft.Extensions.Logging;
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
        Host = await AlbaHost.For<Program>(web => web.ConfigureServices(services =>
        {
            services.AddSingleton<ILoggerProvider>(Logs);
            services.AddSingleton<TimeProvider>(Clock);
        }));
        await Host.DocumentStore<IBackchannelStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
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
