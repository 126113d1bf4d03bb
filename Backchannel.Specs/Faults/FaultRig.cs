using Backchannel.Domain.Common;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Backchannel.Host;
using Backchannel.Host.Auth;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Faults;

/// <summary>
/// The fault specs' own databases, one per spec, dropped and created afresh on the local server (the role has
/// CREATEDB), so a killed node's leftovers never reach another spec and the main suite's database is never touched.
/// </summary>
public static class FaultDatabase
{
    public const string Schema = "backchannel";

    /// <summary>The async views a node's health lists (the two audits, the moderation audit, the push feed); HealthSpecs pins their names.</summary>
    public const int AsyncViews = 4;

    public static async Task<string> RecreateAsync(string name)
    {
        var admin = new NpgsqlConnectionStringBuilder(AppFixture.ConnectionString) { Database = "postgres", Pooling = false };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AppFixture.ConnectionString) { Database = name, MaxPoolSize = 40 }.ConnectionString;
    }

    /// <summary>One scalar, on a connection of its own (not the host's pool).</summary>
    public static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public static async Task<List<T>> ListAsync<T>(string connectionString, string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }
}

/// <summary>What must hold of a store after any fault: checked straight in PostgreSQL.</summary>
public static class StoreInvariants
{
    /// <summary>
    /// What every fault spec ends on, for a message load: each acknowledged message stored exactly once, streams
    /// gapless, no event skipped by a projection, and every view equal to its rebuild. Returns the stored message ids.
    /// </summary>
    public static async Task<IReadOnlyList<string>> AcknowledgedMessagesHoldAsync(string db, IReadOnlyCollection<string> acknowledged)
    {
        var stored = await EventIdsAsync(db, "message_sent", "messageId");
        EachAcknowledgedStoredOnce(acknowledged, stored, "messages");
        await StreamVersionsAreGaplessAsync(db);
        await NoEventWasSkippedAsync(db);
        await using var reader = StoreReader.For(db);
        await reader.ViewsEqualTheirRebuildAsync();
        return stored;
    }

    /// <summary>
    /// Every stream's events are numbered 1..version, each once, and the stream row agrees. Marten's own
    /// <c>mt_tombstone</c> stream is left out: it holds the placeholders Marten writes for sequence numbers of a failed
    /// append (seen when the oracle's injected failures hit), at version 0 by design.
    /// </summary>
    public static async Task StreamVersionsAreGaplessAsync(string connectionString)
    {
        var broken = await FaultDatabase.ListAsync(connectionString, $"""
            select s.id, s.version, count(e.seq_id), coalesce(min(e.version), 0), coalesce(max(e.version), 0), count(distinct e.version)
            from {FaultDatabase.Schema}.mt_streams s left join {FaultDatabase.Schema}.mt_events e on e.stream_id = s.id
            where s.id <> 'mt_tombstone'
            group by s.id, s.version
            having count(e.seq_id) <> s.version or min(e.version) <> 1 or max(e.version) <> s.version or count(distinct e.version) <> count(e.seq_id)
            limit 10
            """, r => $"{r.GetString(0)}: version {r.GetInt64(1)}, {r.GetInt64(2)} events, {r.GetInt64(3)}..{r.GetInt64(4)}, {r.GetInt64(5)} distinct");
        broken.ShouldBeEmpty("streams whose versions have a gap or a duplicate");
        var orphans = await FaultDatabase.ScalarAsync<long>(connectionString,
            $"select count(*) from {FaultDatabase.Schema}.mt_events e where e.stream_id <> 'mt_tombstone' and not exists (select 1 from {FaultDatabase.Schema}.mt_streams s where s.id = e.stream_id)");
        orphans.ShouldBe(0, "events without their stream row");
    }

    /// <summary>The id field of every stored event of one type, with duplicates kept.</summary>
    public static Task<List<string>> EventIdsAsync(string connectionString, string eventType, string idField) =>
        FaultDatabase.ListAsync(connectionString,
            $"select data->>'{idField}' from {FaultDatabase.Schema}.mt_events where type = '{eventType}'", r => r.GetString(0));

    /// <summary>No async projection skipped an event: Marten's dead-letter table for events is absent or empty.</summary>
    public static async Task NoEventWasSkippedAsync(string connectionString)
    {
        var table = await FaultDatabase.ScalarAsync<object>(connectionString,
            $"select coalesce(to_regclass('{FaultDatabase.Schema}.mt_doc_deadletterevent')::text, '')");
        if (table is string { Length: > 0 } name)
            (await FaultDatabase.ScalarAsync<long>(connectionString, $"select count(*) from {name}")).ShouldBe(0, "events dead-lettered by a projection");
    }

    /// <summary>Each acknowledged id is stored exactly once; nothing is stored twice.</summary>
    public static void EachAcknowledgedStoredOnce(IReadOnlyCollection<string> acknowledged, IReadOnlyList<string> stored, string what)
    {
        var counts = stored.GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        counts.Where(c => c.Value > 1).Select(c => c.Key).Take(10).ShouldBeEmpty($"{what} stored twice");
        acknowledged.Where(id => !counts.ContainsKey(id)).Take(10).ShouldBeEmpty($"acknowledged {what} missing from the store");
    }
}

/// <summary>
/// An in-process reader of a fault spec's database: the host's own Marten set-up (same projections, same
/// serializer) with no daemon and no web server, to capture the views and rebuild them from the events.
/// </summary>
public sealed class StoreReader : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StoreReader(WebApplication app) => _app = app;

    public IDocumentStore Store => _app.Services.GetRequiredService<IBackchannelStore>();

    public static StoreReader For(string connectionString) => new(BackchannelHost.Build([], b =>
        b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Backchannel"] = connectionString,
            ["Backchannel:Daemon"] = nameof(DaemonChoice.Off),
            ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
        })));

    /// <summary>The live views, then the same views rebuilt from the events: they must be equal, document for document.</summary>
    public async Task ViewsEqualTheirRebuildAsync()
    {
        var live = await StoredViews.CaptureAsync(Store);
        live.Count.ShouldBeGreaterThan(0);
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
        var rebuilt = await StoredViews.CaptureAsync(Store);
        string Kinds(IEnumerable<string> keys) =>
            string.Join(", ", keys.GroupBy(k => k.Split('/')[0]).Select(g => $"{g.Key}: {g.Count()} (e.g. {g.First()})"));
        var differences = new[]
        {
            ("only in the live views", Kinds(live.Keys.Except(rebuilt.Keys))),
            ("only in the rebuild (the live views skipped them)", Kinds(rebuilt.Keys.Except(live.Keys))),
            ("different", Kinds(live.Keys.Intersect(rebuilt.Keys).Where(k => live[k] != rebuilt[k]))),
        }.Where(d => d.Item2.Length > 0).Select(d => $"{d.Item1}: {d.Item2}").ToList();
        var firstDifferent = live.Keys.Intersect(rebuilt.Keys).FirstOrDefault(k => live[k] != rebuilt[k]);
        if (firstDifferent is not null) differences.Add($"{firstDifferent} live {live[firstDifferent]} rebuilt {rebuilt[firstDifferent]}");
        var firstSkipped = rebuilt.Keys.Except(live.Keys).FirstOrDefault();
        if (firstSkipped is not null) differences.Add($"{firstSkipped} rebuilt {rebuilt[firstSkipped]}");
        differences.ShouldBeEmpty("the live views differ from their rebuild");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>
/// The real host as a child process (<c>dotnet Backchannel.Host.dll</c>), so a spec can SIGKILL it: nothing of it
/// runs in the test process. Its output is kept for the failure message.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    public string Name { get; }
    public Uri BaseAddress { get; }
    public int Pid => _process.Id;
    public bool Exited => _process.HasExited;

    private HostProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 400) _output.TryDequeue(out _);
    }

    public string Output => string.Join('\n', _output);

    public static HostProcess Start(string name, string connectionString, DaemonChoice daemon, IDictionary<string, string>? settings = null)
    {
        var dll = HostDll();
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}" },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The child must not inherit what an in-process fixture of this test run set for itself.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("Backchannel__") || k.StartsWith("ConnectionStrings__")).ToList())
            start.Environment.Remove(key);
        start.Environment["ConnectionStrings__Backchannel"] = connectionString;
        start.Environment["Backchannel__Auth__SigningKey"] = AppFixture.SigningKey;
        start.Environment["Backchannel__Daemon"] = daemon.ToString();
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        return new HostProcess(name, process, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>The host assembly beside the specs (the project reference copies it with its runtimeconfig and deps).</summary>
    private static string HostDll()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Backchannel.Host.dll");
        File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json")).ShouldBeTrue($"{beside} has no runtimeconfig");
        return beside;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Polls <c>GET /health</c> until it answers 200, or fails with the host's output.</summary>
    public async Task<Health> WaitUntilHealthyAsync(TimeSpan patience)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < patience)
        {
            if (_process.HasExited) throw new ShouldAssertException($"{Name} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                var response = await http.GetAsync("health");
                if (response.StatusCode == HttpStatusCode.OK) return (await response.Content.ReadFromJsonAsync<Health>(Json))!;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            await Task.Delay(200);
        }
        throw new ShouldAssertException($"{Name} was not healthy within {patience}:\n{Output}");
    }

    /// <summary>SIGKILL on Linux: no shutdown hook, no flush, no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.CompletedTask;
        _process.Dispose();
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed record Health(string Status, string Database, long HighWaterMark, IReadOnlyList<ViewProgress> Projections);

    public sealed record ViewProgress(string Name, long Sequence, long Behind);
}

/// <summary>A user of a host process over real HTTP: a bearer token minted with the host's key.</summary>
public sealed class ApiUser : IDisposable
{
    private static readonly TokenIssuer Tokens = new(new AuthSettings { SigningKey = AppFixture.SigningKey }, TimeProvider.System);
    private readonly HttpClient _http;

    public string Handle { get; }

    public ApiUser(string handle, Uri baseAddress, TimeSpan? timeout = null)
    {
        Handle = handle;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens.Mint(handle));
    }

    public Task<HttpResponseMessage> PostAsync(string url, object? body = null) =>
        _http.PostAsync(url, body is null ? null : JsonContent.Create(body, options: HostProcess.Json));

    public async Task<T> PostAsync<T>(string url, object? body, HttpStatusCode expected)
    {
        using var response = await PostAsync(url, body);
        response.StatusCode.ShouldBe(expected, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<T>(HostProcess.Json))!;
    }

    public async Task ExpectAsync(string url, HttpStatusCode expected, object? body = null)
    {
        using var response = await PostAsync(url, body);
        response.StatusCode.ShouldBe(expected, await response.Content.ReadAsStringAsync());
    }

    public async Task<string> StartGroupAsync(params string[] with) =>
        (await PostAsync<JsonElement>("conversations", new { to = with, text = "fault spec" }, HttpStatusCode.Created))
        .GetProperty("conversationId").GetString()!;

    public async Task<HostProcess.Health> HealthAsync() =>
        (await _http.GetFromJsonAsync<HostProcess.Health>("health", HostProcess.Json))!;

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// Writers sending messages as fast as they are answered, each in its own conversation with one hub (who follows
/// them, so each conversation is admitted at once). Keeps what was acknowledged and how every other try ended.
/// </summary>
public sealed class MessageLoad(IReadOnlyList<(ApiUser Writer, string ConversationId)> writers)
{
    public ConcurrentBag<string> Acknowledged { get; } = [];
    public ConcurrentDictionary<string, int> Outcomes { get; } = new();
    /// <summary>Every 503's ProblemDetails was well formed and carried a <c>Retry-After</c>; null while none was otherwise.</summary>
    public ConcurrentBag<string> MalformedRefusals { get; } = [];
    public DateTimeOffset? LastAcknowledgedAt { get; private set; }

    public static async Task<MessageLoad> PrepareAsync(Uri host, int writerCount, string prefix)
    {
        using var hub = new ApiUser($"{prefix}hub", host);
        var writers = Enumerable.Range(1, writerCount).Select(i => new ApiUser($"{prefix}w{i}", host)).ToList();
        foreach (var w in writers) await hub.ExpectAsync($"follows/{w.Handle}", HttpStatusCode.NoContent);
        var conversations = await Task.WhenAll(writers.Select(w => w.StartGroupAsync(hub.Handle)));
        return new MessageLoad(writers.Zip(conversations).ToList());
    }

    public IReadOnlyList<string> ConversationIds => writers.Select(w => w.ConversationId).ToList();

    /// <summary>
    /// Runs every writer until <paramref name="stop"/>. Each message carries an id its writer chose, and a failed try
    /// is sent again with the same id until it is answered 201, as a careful client does: so a message whose commit
    /// succeeded but whose answer was lost is stored once, not twice. Once stopped, a writer gives its last unanswered
    /// message a few more tries (the host may be gone: a killed one never answers).
    /// </summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(writers.Select(async w =>
    {
        var (n, triesAfterStop) = (0, 0);
        string? unanswered = null;
        while (!stop.IsCancellationRequested || (unanswered is not null && ++triesAfterStop <= 20))
        {
            var messageId = unanswered ??= $"{w.Writer.Handle}-{++n}";
            string outcome;
            try
            {
                using var response = await w.Writer.PostAsync($"conversations/{w.ConversationId}/messages", new { text = messageId, messageId });
                outcome = ((int)response.StatusCode).ToString();
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    var created = await response.Content.ReadFromJsonAsync<JsonElement>();
                    created.GetProperty("messageId").GetString().ShouldBe(messageId);
                    Acknowledged.Add(messageId);
                    unanswered = null;
                    LastAcknowledgedAt = DateTimeOffset.UtcNow;
                }
                else if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || !body.Contains("database_unavailable")
                        || response.Headers.RetryAfter is null)
                        MalformedRefusals.Add(body);
                    await Task.Delay(100, CancellationToken.None);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                outcome = e.GetType().Name;
                await Task.Delay(100, CancellationToken.None);
            }
            Outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
        }
    }));

    public string Summary => string.Join(", ", Outcomes.OrderBy(o => o.Key).Select(o => $"{o.Key}: {o.Value}"));
}

/// <summary>The fault specs run one after the other: each disturbs the server or the machine the others run on.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FaultCollection
{
    public const string Name = "faults";
}

/// <summary>Waiting for a condition with a deadline, failing with what was last seen.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan patience, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > patience) throw new ShouldAssertException($"not within {patience}: {what}");
            await Task.Delay(50);
        }
    }

    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> condition, TimeSpan patience, string what)
    {
        var clock = Stopwatch.StartNew();
        T? last = default;
        Exception? error = null;
        while (clock.Elapsed < patience)
        {
            try
            {
                last = await read();
                error = null;
                if (condition(last)) return last;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or NpgsqlException or System.Text.Json.JsonException)
            {
                error = e;
            }
            await Task.Delay(100);
        }
        throw new ShouldAssertException($"not within {patience}: {what}; last seen {(error?.Message ?? JsonSerializer.Serialize(last))}");
    }
}
