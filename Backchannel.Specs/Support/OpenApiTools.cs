using System.Diagnostics;
using Alba;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;

namespace Backchannel.Specs.Support;

/// <summary>
/// The npm tools in tools/openapi (installed once per run by scripts/openapi-tools.sh, which does nothing when they
/// are already there) and a way to run them with Node.
/// </summary>
public static class OpenApiTools
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ToolsDirectory => Path.Combine(RepositoryRoot, "tools", "openapi");

    private static readonly Lazy<Task> Installed = new(() => RunAsync("bash", [Path.Combine(RepositoryRoot, "scripts", "openapi-tools.sh")], RepositoryRoot, TimeSpan.FromMinutes(5))
        .ContinueWith(t => t.Result.ExitCode == 0 ? Task.CompletedTask : throw new InvalidOperationException($"openapi-tools.sh failed: {t.Result.Output}")).Unwrap());

    public static Task EnsureInstalledAsync() => Installed.Value;

    /// <summary>Runs a tool's script from tools/openapi/node_modules with Node, in tools/openapi.</summary>
    public static async Task<ProcessResult> NodeAsync(string script, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        await EnsureInstalledAsync();
        return await RunAsync("node", [script, .. args], ToolsDirectory, TimeSpan.FromMinutes(3), environment);
    }

    public sealed record ProcessResult(int ExitCode, string Output, string Error);

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, string directory, TimeSpan timeout,
        IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} ran longer than {timeout}.");
        }
        return new ProcessResult(process.ExitCode, await output, await error);
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Backchannel.sln"))) return dir.FullName;
        throw new InvalidOperationException("No Backchannel.sln above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// Kestrel on a free loopback port passing every request to the in-process host: the spec host's whole pipeline
/// (auth, routing, errors), reachable by a program outside the test process.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackProxy(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    public string BaseUrl { get; }

    public static async Task<LoopbackProxy> StartAsync(IAlbaHost host)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var client = host.Server.CreateClient();
        app.Run(async http =>
        {
            using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), http.Request.Path + http.Request.QueryString);
            if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
            {
                var body = new MemoryStream();
                await http.Request.Body.CopyToAsync(body);
                request.Content = new ByteArrayContent(body.ToArray());
            }
            foreach (var (name, values) in http.Request.Headers)
            {
                if (name is "Host" or "Content-Length" or "Transfer-Encoding") continue;
                if (!request.Headers.TryAddWithoutValidation(name, values.ToArray())) request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
            http.Response.StatusCode = (int)response.StatusCode;
            foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
                if (name != "Transfer-Encoding") http.Response.Headers[name] = values.ToArray();
            await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackProxy(app, address);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
