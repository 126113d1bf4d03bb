using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Backchannel.Host.Auth;

namespace Backchannel.Bench;

/// <summary>
/// A SendMessage server in a process of its own, started from its Release build on a free port: the product
/// (Backchannel.Host, JWT) or a peer under bench/ (the caller named by an <c>X-User</c> header). Its working set is read
/// from outside, in <c>/proc/&lt;pid&gt;/status</c>, while another process loads it.
/// </summary>
public sealed class TargetProcess : IBackchannelHttp, IAsyncDisposable
{
    private readonly Process _process;
    private readonly TokenIssuer? _tokens;
    private readonly Task _logging;
    private readonly SocketsHttpHandler _handler = new() { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(30) };

    private TargetProcess(string name, Process process, Uri address, TokenIssuer? tokens, Task logging)
    {
        (Name, _process, Address, _tokens, _logging) = (name, process, address, tokens, logging);
    }

    /// <summary>Set for every target from <c>--target-env NAME=value,...</c>: runtime or host settings to compare.</summary>
    public static IReadOnlyDictionary<string, string> ExtraEnvironment { get; set; } = new Dictionary<string, string>();

    public string Name { get; }
    public Uri Address { get; }
    public int Pid => _process.Id;

    /// <summary>The product authenticates with its bearer token; the peers read the caller from a header.</summary>
    public string CallerHeader => _tokens is null ? "X-User" : "Authorization";

    public string CallerValue(string userId) => _tokens is null ? userId : $"Bearer {_tokens.Mint(userId)}";

    public HttpClient Client(string userId)
    {
        var client = new HttpClient(_handler, disposeHandler: false) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.TryAddWithoutValidation(CallerHeader, CallerValue(userId));
        return client;
    }

    /// <summary>The product in a schema of its own, with a signing key this process mints its tokens with.</summary>
    public static Task<TargetProcess> StartProductAsync(string schema, string logs)
    {
        var key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var dll = Path.Combine(Build.Root, "Backchannel.Host", "bin", Build.Configuration, "net10.0", "Backchannel.Host.dll");
        // bench/run.sh builds it with its handler code generated ahead of time (scripts/codegen.sh), as it is published.
        Console.WriteLine($"product: {(File.Exists(dll) && IsPregenerated(dll) ? "pre-generated handler code, loaded statically" : "no pre-generated handler code: compiled at start (scripts/codegen.sh builds it)")}");
        return StartAsync("product", dll, logs,
            new Dictionary<string, string>
            {
                // As it is deployed: in Production a pre-generated build loads its code and compiles nothing.
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Backchannel"] = BenchHost.Connection,
                ["Backchannel__Schema"] = schema,
                ["Backchannel__Auth__SigningKey"] = key,
            },
            new TokenIssuer(new AuthSettings { SigningKey = key }, TimeProvider.System));
    }

    /// <summary>Whether the assembly defines the handler registry <c>codegen write</c> emits (Backchannel.Host's CodeLoading).</summary>
    private static bool IsPregenerated(string dll)
    {
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(dll));
        var metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return metadata.TypeDefinitions.Select(metadata.GetTypeDefinition).Any(type =>
            $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}" == Backchannel.Host.Operations.CodeLoading.HandlerRegistry);
    }

    /// <summary>A peer under bench/, by its project's name; it keeps its tables in <paramref name="schema"/>.</summary>
    public static Task<TargetProcess> StartPeerAsync(string name, string project, string schema, string logs) =>
        StartAsync(name, Path.Combine(Build.Root, "bench", project, "bin", Build.Configuration, "net10.0", $"{project}.dll"), logs,
            new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Peer"] = BenchHost.Connection,
                ["Peer__Schema"] = schema,
            },
            tokens: null);

    private static async Task<TargetProcess> StartAsync(string name, string dll, string logs, Dictionary<string, string> environment, TokenIssuer? tokens)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{dll} is not built: bench/run.sh builds it", dll);
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var (variable, value) in environment) start.Environment[variable] = value;
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["DOTNET_gcServer"] = "1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Error";
        // Last, so that an experiment can override any of the above (e.g. --target-env DOTNET_gcServer=0).
        foreach (var (variable, value) in ExtraEnvironment) start.Environment[variable] = value;
        Directory.CreateDirectory(Path.GetDirectoryName(logs)!);
        var process = Process.Start(start)!;
        var logging = CopyAsync(process, logs);
        var target = new TargetProcess(name, process, address, tokens, logging);
        await target.WaitUntilAnsweringAsync(logs);
        Console.WriteLine($"{name}: pid {process.Id} on {address}, log {logs}");
        return target;
    }

    private static async Task CopyAsync(Process process, string path)
    {
        await using var log = new StreamWriter(path) { AutoFlush = true };
        var gate = new SemaphoreSlim(1);
        async Task Pump(StreamReader from)
        {
            while (await from.ReadLineAsync() is { } line)
            {
                await gate.WaitAsync();
                try { await log.WriteLineAsync(line); } finally { gate.Release(); }
            }
        }
        await Task.WhenAll(Pump(process.StandardOutput), Pump(process.StandardError));
    }

    /// <summary>Any answer at all (a 404 or a 401 too) means Kestrel listens and the host has started.</summary>
    private async Task WaitUntilAnsweringAsync(string logs)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var until = Stopwatch.GetTimestamp() + 180 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}: see {logs}");
            try
            {
                using var _ = await http.GetAsync("/");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(250);
            }
        }
        throw new TimeoutException($"{Name} did not answer within 3 minutes: see {logs}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The resident set now, and its peak since the process started (VmRSS, VmHWM), in MiB.</summary>
    public (double Resident, double Peak) Memory()
    {
        var fields = File.ReadLines($"/proc/{Pid}/status").Select(l => l.Split(':', 2)).Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1].Trim());
        static double MiB(string kilobytes) => long.Parse(kilobytes.Split(' ')[0]) / 1024.0;
        return (MiB(fields["VmRSS"]), MiB(fields["VmHWM"]));
    }

    /// <summary>Conversations between two members each, started the way this target starts them.</summary>
    public async Task<IReadOnlyList<Pair>> StartConversationsAsync(int count, string prefix)
    {
        if (_tokens is not null) return await Pair.StartAsync(this, count, prefix);
        var pairs = new Pair[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var (first, second) = ($"{prefix}_{i}_a", $"{prefix}_{i}_b");
            using var http = Client(first);
            var started = await http.PostAsJsonAsync("/conversations", new { to = new[] { second }, text = "hello" }, ct);
            var body = await started.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(ct);
            pairs[i] = new Pair(body.GetProperty("conversationId").GetString()!, first, second);
        });
        return pairs;
    }

    /// <summary>Stops it as an orchestrator would (SIGTERM, then a kill if it has not stopped within 30 seconds).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", Pid.ToString()])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try { await _process.WaitForExitAsync(timeout.Token); }
            catch (OperationCanceledException) { _process.Kill(entireProcessTree: true); }
        }
        await _logging;
        _process.Dispose();
        _handler.Dispose();
    }
}

/// <summary>Where this build of the bench sits: the repository's root and the configuration it was built in.</summary>
public static class Build
{
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;

    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Backchannel.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No Backchannel.sln above {AppContext.BaseDirectory}");
    }
}
