using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace Backchannel.Bench;

/// <summary>
/// SendMessage over HTTP from <c>clients</c> concurrent clients, each writing as one member of a random conversation:
/// as fast as the host answers (closed loop), or at a fixed total rate (open loop, for measuring lag below the maximum).
/// With <paramref name="viaBus"/>, the same commands go straight to Wolverine's bus in process: no HTTP, no token, no
/// JSON body, which separates the cost of the command from the cost of the web around it.
/// </summary>
public sealed class MessageLoad(IBackchannelHttp host, IReadOnlyList<Pair> pairs, int clients, bool viaBus = false)
{
    private readonly Dictionary<string, HttpClient> _http = pairs
        .SelectMany(p => new[] { p.First, p.Second })
        .ToDictionary(user => user, host.Client);

    /// <summary>Called with each acknowledged message: its conversation, author, id and when the 201 was read.</summary>
    public Action<Pair, string, string, long>? Acknowledged { get; init; }

    public async Task<Samples> RunAsync(TimeSpan duration, double? messagesPerSecond = null, CancellationToken ct = default)
    {
        var samples = new Samples();
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        // Open loop: client k sends its n-th message at started + (n * clients + k) / rate, late or not.
        var interval = messagesPerSecond is { } rate ? Stopwatch.Frequency * clients / rate : 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async k =>
        {
            var random = new Random(k);
            for (var n = 0; ; n++)
            {
                if (interval > 0)
                {
                    var due = started + (long)((n + (double)k / clients) * interval);
                    var wait = due - Stopwatch.GetTimestamp();
                    if (wait > 0) await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
                }
                if (Stopwatch.GetTimestamp() >= until) return;
                var pair = pairs[random.Next(pairs.Count)];
                var author = random.Next(2) == 0 ? pair.First : pair.Second;
                var text = $"message {n} from client {k}";
                var sent = Stopwatch.GetTimestamp();
                if (viaBus)
                {
                    // A bus per command, as Wolverine's HTTP endpoints get one per request.
                    await using var scope = (host as BenchHost ?? throw new InvalidOperationException("Through the bus needs the host in this process.")).Services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IMessageBus>()
                        .InvokeAsync<Paced>(new SendMessage(pair.ConversationId, Guid.CreateVersion7().ToString(), author, text, null), ct);
                    samples.Add(Stats.Elapsed(sent), 201);
                    continue;
                }
                using var response = await _http[author].PostAsJsonAsync($"/conversations/{pair.ConversationId}/messages", new { text }, ct);
                var acknowledged = Stopwatch.GetTimestamp();
                samples.Add(Stopwatch.GetElapsedTime(sent, acknowledged).TotalMilliseconds, (int)response.StatusCode);
                if (Acknowledged is not null && response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                    Acknowledged(pair, author, body.GetProperty("messageId").GetString()!, acknowledged);
                }
            }
        }));
        return samples;
    }
}
