using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Backchannel.Host;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;
using Npgsql;

namespace Backchannel.Specs.Browser;

/// <summary>
/// The host on a real Kestrel port of 127.0.0.1 (a browser cannot reach Alba's in-memory server), in Development so
/// that the client signs in with a handle, on a database of its own (the main suite resets its own before each
/// spec); and one headless Chromium, Debian's (scripts/chromium.sh), driven by Playwright without any
/// browser download. Each spec opens its own browser contexts, one per user, and uses fresh handles.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public static string ChromiumPath => Environment.GetEnvironmentVariable("BACKCHANNEL_CHROMIUM") ?? "/usr/bin/chromium";

    /// <summary>When set (scripts/screenshots.sh), the specs write a screenshot of each main screen into this folder.</summary>
    public static string? ScreenshotFolder => Environment.GetEnvironmentVariable("BACKCHANNEL_SCREENSHOTS") is { Length: > 0 } folder ? folder : null;

    private WebApplication? host;
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await EnsureDatabaseAsync();
        host = BackchannelHost.Build(["--environment", "Development"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Backchannel"] = connectionString,
                ["Backchannel:Daemon"] = nameof(DaemonChoice.Solo),
                ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
                ["Backchannel:Demo:Seed"] = "false",
                ["Logging:LogLevel:Default"] = "Warning",
            });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        });
        await host.StartAsync();
        BaseUrl = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        // The host generates and compiles each endpoint's code on its first call (seconds on a busy machine), so a
        // first look may wait that long; the promises with a deadline of their own (within a second) say so.
        Assertions.SetDefaultExpectTimeout(15_000);
        await WarmUpAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true });
    }

    public async Task DisposeAsync()
    {
        // Whatever the start reached is taken down, so a failed start reports its own error and nothing after it.
        if (Browser is not null) await Browser.DisposeAsync();
        playwright?.Dispose();
        if (host is null) return;
        await host.StopAsync();
        await host.DisposeAsync();
    }

    /// <summary>
    /// The host's first compilation of generated code is its slowest by far: it happens here, on the routes every spec
    /// starts with, rather than inside a spec's first wait. Whatever they answer is beside the point.
    /// </summary>
    private async Task WarmUpAsync()
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
        using var minted = await http.PostAsJsonAsync("/dev/tokens", new { userId = "warm_up" });
        var token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var route in new[] { "/me/events", "/inbox", "/inbox/requests", "/conversations/warm-up", "/rooms/warm-up" })
        {
            using var answer = await http.GetAsync(route, HttpCompletionOption.ResponseHeadersRead);
        }
    }

    /// <summary>
    /// A database beside the test database, named after it so that parallel checkouts never share one, created when
    /// absent. It is kept between runs (creating one takes long on a busy server): every spec uses fresh handles, so
    /// nothing an earlier run left is ever seen.
    /// </summary>
    private static async Task<string> EnsureDatabaseAsync()
    {
        var tests = new NpgsqlConnectionStringBuilder(AppFixture.ConnectionString);
        var name = Regex.Replace($"{tests.Database}_browser", "[^a-z0-9_]", "_");
        var admin = new NpgsqlConnectionStringBuilder(AppFixture.ConnectionString) { Database = "postgres", Pooling = false, CommandTimeout = 300 };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            // A drop cut short (a run stopped meanwhile) leaves the database marked invalid in datconnlimit: drop it.
            await using var state = new NpgsqlCommand("select datconnlimit from pg_database where datname = @name", connection);
            state.Parameters.AddWithValue("name", name);
            var limit = await state.ExecuteScalarAsync();
            if (limit is -2)
            {
                await using var drop = new NpgsqlCommand($"drop database {name} with (force)", connection);
                await drop.ExecuteNonQueryAsync();
            }
            if (limit is null or -2)
            {
                await using var create = new NpgsqlCommand($"create database {name}", connection);
                await create.ExecuteNonQueryAsync();
            }
        }
        return new NpgsqlConnectionStringBuilder(AppFixture.ConnectionString) { Database = name, MaxPoolSize = 30 }.ConnectionString;
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>
/// Base of the browser specs: people signing in, each in a browser context of their own, selecting only by role
/// and accessible name as a person sees the page, and waiting only with Playwright's auto-retrying assertions.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait("Category", "Browser")]
public abstract class BrowserSpec(BrowserFixture browser) : IAsyncLifetime
{
    private readonly List<IBrowserContext> contexts = [];
    private readonly string run = Guid.NewGuid().ToString("N")[..6];

    protected BrowserFixture Fixture { get; } = browser;

    /// <summary>A fresh handle for this spec: the same name reads the same in every spec, the suffix keeps runs apart.</summary>
    protected string Handle(string name) => $"{name}_{run}";

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in contexts) await context.DisposeAsync();
    }

    /// <summary>Opens the client in a new browser context and signs in with a handle, as a person would.</summary>
    protected async Task<IPage> SignIn(string handle, bool asOperator = false)
    {
        var context = await Fixture.Browser.NewContextAsync(new() { BaseURL = Fixture.BaseUrl, ViewportSize = new() { Width = 1100, Height = 900 } });
        contexts.Add(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/app/");
        await page.GetByLabel("Handle", new() { Exact = true }).FillAsync(handle);
        if (asOperator) await page.GetByLabel("Sign in as an operator", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Inbox", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Live");
        return page;
    }

    protected static ILocator Messages(IPage page) => page.GetByRole(AriaRole.List, new() { Name = "Messages", Exact = true });

    protected static ILocator Message(IPage page, string text) => Messages(page).GetByRole(AriaRole.Listitem).Filter(new() { HasText = text });

    /// <summary>Writes in the compose box and sends with Enter, the way a keyboard user does.</summary>
    protected static async Task Say(IPage page, string text, string box = "Message")
    {
        var compose = page.GetByLabel(box, new() { Exact = true });
        await compose.FillAsync(text);
        await compose.PressAsync("Enter");
        await Assertions.Expect(compose).ToHaveValueAsync("");
    }

    /// <summary>Requests a conversation from the inbox and lands in its thread.</summary>
    protected static async Task Request(IPage page, string to, string text)
    {
        await page.GetByLabel("To (handles, separated by commas)", new() { Exact = true }).FillAsync(to);
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync(text);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Conversation with {to}", Level = 1 })).ToBeVisibleAsync();
    }

    protected static Task Go(IPage page, string link) =>
        page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = link }).ClickAsync();

    /// <summary>With BACKCHANNEL_SCREENSHOTS set (scripts/screenshots.sh), a screenshot of the page for docs/screenshots.</summary>
    protected static async Task Screenshot(IPage page, string name)
    {
        if (BrowserFixture.ScreenshotFolder is not { } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, $"{name}.png"), FullPage = true });
    }

    /// <summary>
    /// Every control on the page has an accessible name: each field a label, each button and link its text or a
    /// label. Returns what lacks one, so a failure names it.
    /// </summary>
    protected static Task<string[]> UnnamedControls(IPage page) => page.EvaluateAsync<string[]>("""
        () => [...document.querySelectorAll('button, a[href], input, select, textarea')]
          .filter(el => !el.closest('[hidden]'))
          .filter(el => {
            const label = el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.labels && el.labels.length && el.labels[0].textContent.trim());
            const text = ['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim();
            return !(label || text);
          })
          .map(el => el.outerHTML.slice(0, 120))
        """);
}
