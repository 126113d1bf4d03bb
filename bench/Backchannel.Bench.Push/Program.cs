using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.Host;
using Backchannel.Host.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Push delay: a sender posts messages one at a time over HTTP; the recipient listens on its SSE stream over a real
// socket. Each sample is the time from the sender's 201 to the message's arrival on the stream.
var messages = Option("--messages", 300);
var rounds = Option("--rounds", 5);
var connection = Environment.GetEnvironmentVariable("ConnectionStrings__Backchannel") ?? BackchannelHost.LocalConnectionString;

// Development: handlers are generated in memory, not written beside the sources.
await using var app = BackchannelHost.Build(["--environment", "Development"], builder =>
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Backchannel"] = connection,
        ["Backchannel:Auth:SigningKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)),
        ["Logging:LogLevel:Default"] = "Warning",
    });
});
await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var tokens = app.Services.GetRequiredService<TokenIssuer>();
Console.WriteLine($"host on {address}; {messages} messages x {rounds} rounds; {Environment.ProcessorCount} cores");

var p50s = new List<double>();
var p99s = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var delays = await RunRoundAsync(round);
    delays.Sort();
    var (p50, p99) = (Percentile(delays, 0.50), Percentile(delays, 0.99));
    p50s.Add(p50);
    p99s.Add(p99);
    Console.WriteLine($"round {round}: p50 {p50:F0} ms, p99 {p99:F0} ms, max {delays[^1]:F0} ms");
}
p50s.Sort();
p99s.Sort();
Console.WriteLine($"median of {rounds} rounds: p50 {Percentile(p50s, 0.5):F0} ms, p99 {Percentile(p99s, 0.5):F0} ms");
await app.StopAsync();
return;

async Task<List<double>> RunRoundAsync(int round)
{
    var suffix = Guid.NewGuid().ToString("N")[..8];
    var (sender, recipient) = ($"bench_a_{suffix}", $"bench_b_{suffix}");
    using var senderHttp = Client(sender);
    using var recipientHttp = Client(recipient);
    (await recipientHttp.PostAsync($"/follows/{sender}", null)).EnsureSuccessStatusCode();
    var started = await senderHttp.PostAsJsonAsync("/conversations", new { to = new[] { recipient }, text = "bench" });
    var conversationId = (await started.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversationId").GetString();

    var arrivals = new ConcurrentDictionary<string, TaskCompletionSource<long>>();
    using var listening = new CancellationTokenSource();
    var stream = await recipientHttp.GetAsync("/me/events", HttpCompletionOption.ResponseHeadersRead);
    var reading = ReadArrivalsAsync(await stream.EnsureSuccessStatusCode().Content.ReadAsStreamAsync(), arrivals, listening.Token);

    var delays = new List<double>();
    const int warmUp = 10;
    for (var i = 0; i < messages + warmUp; i++)
    {
        var sent = await senderHttp.PostAsJsonAsync($"/conversations/{conversationId}/messages", new { text = $"round {round} message {i}" });
        var acknowledged = Stopwatch.GetTimestamp();
        var messageId = (await sent.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!;
        var arrived = await arrivals.GetOrAdd(messageId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task
            .WaitAsync(TimeSpan.FromSeconds(30));
        // A message may arrive before its acknowledgment is read: that counts as no delay.
        if (i >= warmUp) delays.Add(Math.Max(0, Stopwatch.GetElapsedTime(acknowledged, arrived).TotalMilliseconds));
    }
    await listening.CancelAsync();
    stream.Dispose();
    try
    {
        await reading;
    }
    catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
    {
        // The round is over: the stream was cut from this side.
    }
    return delays;
}

HttpClient Client(string userId)
{
    var client = new HttpClient { BaseAddress = new Uri(address), Timeout = Timeout.InfiniteTimeSpan };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Mint(userId));
    return client;
}

static async Task ReadArrivalsAsync(Stream body, ConcurrentDictionary<string, TaskCompletionSource<long>> arrivals, CancellationToken ct)
{
    using var reader = new StreamReader(body);
    string? kind = null;
    while (await reader.ReadLineAsync(ct) is { } line)
    {
        if (line.StartsWith("event: ")) kind = line[7..];
        else if (line.StartsWith("data: ") && kind == "message_sent")
        {
            var arrived = Stopwatch.GetTimestamp();
            var messageId = JsonDocument.Parse(line[6..]).RootElement.GetProperty("messageId").GetString()!;
            arrivals.GetOrAdd(messageId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(arrived);
        }
        else if (line.Length == 0) kind = null;
    }
}

static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}
