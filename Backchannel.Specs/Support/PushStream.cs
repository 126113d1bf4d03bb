using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Shouldly;

namespace Backchannel.Specs.Support;

/// <summary>One event as the stream sent it.</summary>
public sealed record PushEvent(long Id, string Kind, JsonElement Data)
{
    public string Text(string property) => Data.GetProperty(property).GetString()!;
}

/// <summary>
/// A real streaming client of <c>GET /me/events</c>: reads the response body as it arrives and parses Server-Sent
/// Events, so a spec awaits the next event with a timeout instead of polling a view.
/// </summary>
public sealed class PushStream : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<PushEvent> _events = Channel.CreateUnbounded<PushEvent>();
    private readonly Task _reading;

    private PushStream(HttpResponseMessage response)
    {
        _response = response;
        _reading = Task.Run(ReadAsync);
    }

    private readonly TaskCompletionSource _heartbeat = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the first heartbeat comment, or fails after <see cref="Patience"/>.</summary>
    public Task HeartbeatAsync() => _heartbeat.Task.WaitAsync(Patience);

    /// <summary>Completes when the server ends the stream, or fails after <see cref="Patience"/>.</summary>
    public Task EndedAsync() => _reading.WaitAsync(Patience);

    /// <summary>The id of the last event read.</summary>
    public long LastId { get; private set; }

    public static async Task<PushStream> OpenAsync(HttpClient client, string token, string? lastEventId = null, bool inQuery = false)
    {
        var response = await RequestAsync(client, token, lastEventId, inQuery);
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/event-stream");
        return new PushStream(response);
    }

    /// <summary>
    /// Asks for a stream and returns the response as soon as its headers arrive, whatever its status: a refusal to
    /// inspect, or a stream to wrap with <see cref="Wrap"/>. The position goes as given (unescaped) into the query or
    /// the header.
    /// </summary>
    public static Task<HttpResponseMessage> RequestAsync(HttpClient client, string token, string? lastEventId = null, bool inQuery = false)
    {
        var url = lastEventId is not null && inQuery ? $"/me/events?lastEventId={lastEventId}" : "/me/events";
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (lastEventId is not null && !inQuery) request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        return client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Patience);
    }

    /// <summary>Reads an open stream's response as events.</summary>
    public static PushStream Wrap(HttpResponseMessage response) => new(response);

    /// <summary>The next event (heartbeats aside), or a failure after <see cref="Patience"/>.</summary>
    public async Task<PushEvent> NextAsync(TimeSpan? patience = null)
    {
        using var timeout = new CancellationTokenSource(patience ?? Patience);
        try
        {
            var next = await _events.Reader.ReadAsync(timeout.Token);
            LastId = next.Id;
            return next;
        }
        catch (OperationCanceledException)
        {
            throw new ShouldAssertException($"No push event arrived within {(patience ?? Patience).TotalSeconds} s (last id {LastId}).");
        }
    }

    /// <summary>The next event, which must be of <paramref name="kind"/>.</summary>
    public async Task<PushEvent> NextAsync(string kind)
    {
        var next = await NextAsync();
        next.Kind.ShouldBe(kind, $"event {next.Id}: {next.Data}");
        return next;
    }

    /// <summary>Every event up to and including the first one <paramref name="fence"/> matches.</summary>
    public async Task<IReadOnlyList<PushEvent>> UntilAsync(Func<PushEvent, bool> fence)
    {
        var seen = new List<PushEvent>();
        while (true)
        {
            var next = await NextAsync();
            seen.Add(next);
            if (fence(next)) return seen;
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var body = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(body);
            string? id = null, kind = null, data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (kind is not null) await _events.Writer.WriteAsync(new PushEvent(long.Parse(id!), kind, JsonDocument.Parse(data!).RootElement));
                    id = kind = data = null;
                }
                else if (line.StartsWith(':')) _heartbeat.TrySetResult();
                else if (line.StartsWith("id: ")) id = line[4..];
                else if (line.StartsWith("event: ")) kind = line[7..];
                else if (line.StartsWith("data: ")) data = line[6..];
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try
        {
            await _reading;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or HttpRequestException)
        {
            // The connection was cut from this side: what a client going away looks like.
        }
        catch (InvalidOperationException) when (_stop.IsCancellationRequested)
        {
            // The same, as the in-process test server says it: a read already under way when the response was disposed
            // finds its body's reader completed.
        }
        _stop.Dispose();
    }
}
