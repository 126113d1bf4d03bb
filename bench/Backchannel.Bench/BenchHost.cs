using Backchannel.Domain.Common;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.Host;
using Backchannel.Host.Auth;
using Backchannel.Projections.Conversations;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Backchannel.Bench;

/// <summary>How the store appends and where the conversation views are built, for the throughput comparisons.</summary>
/// <param name="AppendMode">Marten's append mode; null keeps the host's own (Marten 9's default).</param>
/// <param name="AsyncConversationViews">Build the inbox and thread views in the daemon instead of in the command's transaction.</param>
public sealed record StoreVariant(EventAppendMode? AppendMode, bool AsyncConversationViews)
{
    public static StoreVariant FromArgs(Args args) => new(
        args.Text("--append") is { } mode ? Enum.Parse<EventAppendMode>(mode, ignoreCase: true) : null,
        args.Text("--views") is "async");

    public override string ToString() => $"append {AppendMode?.ToString() ?? "host default"}, conversation views {(AsyncConversationViews ? "async" : "inline")}";
}

/// <summary>A Backchannel host reached over real sockets: in this process (<see cref="BenchHost"/>) or in its own (<see cref="TargetProcess"/>).</summary>
public interface IBackchannelHttp
{
    Uri Address { get; }

    /// <summary>A client acting as <paramref name="userId"/>, with a real token.</summary>
    HttpClient Client(string userId);
}

/// <summary>The real host, started in this process on a Kestrel port, with HTTP clients holding real tokens.</summary>
public sealed class BenchHost : IBackchannelHttp, IAsyncDisposable
{
    public const string DefaultConnection =
        "Host=127.0.0.1;Port=5432;Database=backchannel_bench;Username=backchannel;Password=backchannel;Maximum Pool Size=100";

    private readonly WebApplication _app;
    private readonly TokenIssuer _tokens;
    private readonly SocketsHttpHandler _handler = new() { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) };

    private BenchHost(WebApplication app, string address)
    {
        _app = app;
        Address = new Uri(address);
        _tokens = app.Services.GetRequiredService<TokenIssuer>();
    }

    public Uri Address { get; }
    public IServiceProvider Services => _app.Services;
    public IDocumentStore Store => Services.GetRequiredService<IBackchannelStore>();
    public static string Connection => Environment.GetEnvironmentVariable("ConnectionStrings__Backchannel") ?? DefaultConnection;

    public static async Task<BenchHost> StartAsync(StoreVariant? variant = null, IDictionary<string, string?>? settings = null)
    {
        // Development: handlers are generated in memory, not written beside the sources.
        var app = BackchannelHost.Build(["--environment", "Development"], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Backchannel"] = Connection,
                ["Backchannel:Auth:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Error",
            });
            if (settings is not null) builder.Configuration.AddInMemoryCollection(settings);
            if (variant is not null) builder.Services.ConfigureMarten<IBackchannelStore>(opts => Apply(variant, opts));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var host = new BenchHost(app, address);
        Console.WriteLine($"host on {address}; append mode {host.Store.Options.Events.AppendMode}; {Environment.ProcessorCount} cores; {Connection.Split(';').First(p => p.StartsWith("Database"))}");
        return host;
    }

    private static void Apply(StoreVariant variant, StoreOptions opts)
    {
        if (variant.AppendMode is { } mode) opts.Events.AppendMode = mode;
        if (!variant.AsyncConversationViews) return;
        foreach (var projection in opts.Projections.All.OfType<ProjectionBase>()
                     .Where(p => p.Name is nameof(ConversationView)))
            projection.Lifecycle = ProjectionLifecycle.Async;
    }

    /// <summary>A client acting as <paramref name="userId"/>, sharing one connection pool with every other client.</summary>
    public HttpClient Client(string userId)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens.Mint(userId));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _handler.Dispose();
    }
}

/// <summary>Conversations between pairs who follow each other, so every message is admitted at once.</summary>
public sealed record Pair(string ConversationId, string First, string Second)
{
    public static async Task<IReadOnlyList<Pair>> StartAsync(IBackchannelHttp host, int count, string prefix)
    {
        var pairs = new Pair[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var (first, second) = ($"{prefix}_{i}_a", $"{prefix}_{i}_b");
            using var firstHttp = host.Client(first);
            using var secondHttp = host.Client(second);
            (await secondHttp.PostAsync($"/follows/{first}", null, ct)).EnsureSuccessStatusCode();
            var started = await firstHttp.PostAsJsonAsync("/conversations", new { to = new[] { second }, text = "hello" }, ct);
            var body = await started.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(ct);
            pairs[i] = new Pair(body.GetProperty("conversationId").GetString()!, first, second);
        });
        return pairs;
    }
}

/// <summary>Latencies of one run, and what the statuses were.</summary>
public sealed class Samples
{
    private readonly List<double> _milliseconds = [];
    private readonly Dictionary<int, int> _statuses = [];
    private readonly Lock _lock = new();

    public void Add(double milliseconds, int status)
    {
        lock (_lock)
        {
            _milliseconds.Add(milliseconds);
            _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        }
    }

    public int Count(Func<int, bool> status) => _statuses.Where(s => status(s.Key)).Sum(s => s.Value);
    public int Succeeded => Count(s => s is >= 200 and < 300);
    public string Statuses => string.Join(", ", _statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"));
    public double Percentile(double p) => Stats.Percentile(_milliseconds, p);
}

public static class Stats
{
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[(int)Math.Clamp(Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    public static double Elapsed(long since) => Stopwatch.GetElapsedTime(since).TotalMilliseconds;
}

/// <summary>The command line: a benchmark's name, then <c>--name value</c> options.</summary>
public sealed class Args(string[] args)
{
    public bool Has(string name) => args.Contains(name);
    public string? Text(string name) => Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    public int Int(string name, int fallback) => Text(name) is { } value ? int.Parse(value) : fallback;
    public double Double(string name, double fallback) => Text(name) is { } value ? double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}
