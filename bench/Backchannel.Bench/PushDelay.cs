using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Backchannel.Bench;

/// <summary>
/// Push delay: a sender posts messages one at a time over HTTP; the recipient listens on its SSE stream over a real
/// socket. Each sample is the time from the sender's 201 to the message's arrival on the stream.
/// </summary>
public static class PushDelay
{
    public static async Task RunAsync(Args args)
    {
        var messages = args.Int("--messages", 300);
        var rounds = args.Int("--rounds", 5);
        await using var host = await BenchHost.StartAsync();
        var (p50s, p99s) = (new List<double>(), new List<double>());
        for (var round = 1; round <= rounds; round++)
        {
            var pair = (await Pair.StartAsync(host, 1, $"push{Guid.NewGuid():N}"[..12]))[0];
            using var sender = host.Client(pair.First);
            await using var stream = await PushListener.OpenAsync(host, pair.Second);
            var delays = new List<double>();
            const int warmUp = 10;
            for (var i = 0; i < messages + warmUp; i++)
            {
                var sent = await sender.PostAsJsonAsync($"/conversations/{pair.ConversationId}/messages", new { text = $"round {round} message {i}" });
                var acknowledged = Stopwatch.GetTimestamp();
                var messageId = (await sent.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("messageId").GetString()!;
                var arrived = await stream.ArrivalOf(messageId).WaitAsync(TimeSpan.FromSeconds(30));
                if (i >= warmUp) delays.Add(PushListener.Delay(acknowledged, arrived));
            }
            p50s.Add(Stats.Percentile(delays, 0.50));
            p99s.Add(Stats.Percentile(delays, 0.99));
            Console.WriteLine($"round {round}: p50 {p50s[^1]:F0} ms, p99 {p99s[^1]:F0} ms, max {delays.Max():F0} ms");
        }
        Console.WriteLine($"push delay: median of {rounds} rounds: p50 {Stats.Median(p50s):F0} ms, p99 {Stats.Median(p99s):F0} ms");
    }
}

/// <summary>One user's push stream (<c>GET /me/events</c>) over a real socket, noting when each message arrives.</summary>
public sealed class PushListener : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _arrivals = new();
    private readonly CancellationTokenSource _listening = new();
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly Task _reading;

    private PushListener(HttpClient http, HttpResponseMessage response, Stream body)
    {
        (_http, _response) = (http, response);
        _reading = ReadAsync(body);
    }

    public static async Task<PushListener> OpenAsync(IBackchannelHttp host, string userId)
    {
        var http = host.Client(userId);
        var response = await http.GetAsync("/me/events", HttpCompletionOption.ResponseHeadersRead);
        return new PushListener(http, response, await response.EnsureSuccessStatusCode().Content.ReadAsStreamAsync());
    }

    /// <summary>When the message arrived (a <see cref="Stopwatch"/> timestamp), once it has.</summary>
    public Task<long> ArrivalOf(string messageId) => Arrival(messageId).Task;

    /// <summary>A message may arrive before its acknowledgment is read: that counts as no delay.</summary>
    public static double Delay(long acknowledged, long arrived) => Math.Max(0, Stopwatch.GetElapsedTime(acknowledged, arrived).TotalMilliseconds);

    private TaskCompletionSource<long> Arrival(string messageId) =>
        _arrivals.GetOrAdd(messageId, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task ReadAsync(Stream body)
    {
        using var reader = new StreamReader(body);
        string? kind = null;
        while (await reader.ReadLineAsync(_listening.Token) is { } line)
        {
            if (line.StartsWith("event: ")) kind = line[7..];
            else if (line.StartsWith("data: ") && kind == "message_sent")
            {
                var arrived = Stopwatch.GetTimestamp();
                Arrival(JsonDocument.Parse(line[6..]).RootElement.GetProperty("messageId").GetString()!).TrySetResult(arrived);
            }
            else if (line.Length == 0) kind = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _listening.CancelAsync();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // The stream was cut from this side: the listening is over.
        }
        _http.Dispose();
        _listening.Dispose();
    }
}
