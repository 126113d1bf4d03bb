using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Backchannel.Bench;

/// <summary>
/// A hot room: 1,000 listeners join, then all at once each asks a question and upvotes several of the first questions
/// (the hottest), with one double tap each. Prints accepted commands/s, conflicts, and checks the moderation view's
/// counts against the upvotes acknowledged, exactly; then times the room and moderation reads of that room.
/// </summary>
public static class HotRoom
{
    public static async Task RunAsync(Args args)
    {
        var listeners = args.Int("--listeners", 1000);
        var concurrency = args.Int("--clients", 32);
        var upvotesEach = args.Int("--upvotes", 5);
        await using var host = await BenchHost.StartAsync();
        var run = $"hot{Guid.NewGuid():N}"[..11];
        using var moderator = host.Client($"{run}_host");
        var room = (await (await moderator.PostAsJsonAsync("/rooms", new { title = "Hot room" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("roomId").GetString()!;
        var clients = Enumerable.Range(0, listeners).Select(i => host.Client($"{run}_l{i}")).ToList();
        await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (http, ct) => (await http.PostAsync($"/rooms/{room}/join", null, ct)).EnsureSuccessStatusCode());
        // The first questions exist before the burst, so that the burst's upvotes have somewhere to go.
        var hot = new List<string>();
        foreach (var http in clients.Take(20)) hot.Add(await AskAsync(http, room, "opening question"));

        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        var acknowledged = new ConcurrentDictionary<string, int>();
        var commands = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(clients.Select((http, i) => (http, i)), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (listener, ct) =>
        {
            var random = new Random(listener.i);
            var (http, i) = listener;
            if (i >= 20) await Count(await http.PostAsJsonAsync($"/rooms/{room}/questions", new { text = $"question {i}", anonymous = i % 3 == 0 }, ct));
            var chosen = hot.OrderBy(_ => random.Next()).Take(upvotesEach).ToList();
            foreach (var question in chosen)
            {
                var response = await http.PostAsync($"/rooms/{room}/questions/{question}/upvote", null, ct);
                if (response.IsSuccessStatusCode) acknowledged.AddOrUpdate(question, 1, (_, n) => n + 1);
                await Count(response);
            }
            // The double tap: upvoting a question again changes nothing.
            await Count(await http.PostAsync($"/rooms/{room}/questions/{chosen[0]}/upvote", null, ct));
        });
        var elapsed = clock.Elapsed.TotalSeconds;

        var moderation = await (await moderator.GetAsync($"/rooms/{room}/moderation")).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        var counts = moderation.GetProperty("pending").EnumerateArray().ToDictionary(q => q.GetProperty("questionId").GetString()!, q => q.GetProperty("upvotes").GetInt32());
        var mismatches = hot.Count(q => counts.GetValueOrDefault(q) != acknowledged.GetValueOrDefault(q));
        var asked = counts.Count;
        Console.WriteLine($"hot room: {listeners} listeners, {concurrency} clients: {commands} commands in {elapsed:F1} s = {commands / elapsed:F0} accepted or refused commands/s; " +
                          $"statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value}"))}; " +
                          $"conflicts (409) {statuses.GetValueOrDefault(HttpStatusCode.Conflict)}");
        Console.WriteLine($"hot room counts: {asked} questions pending (expected {listeners}); upvotes acknowledged {acknowledged.Values.Sum()}, " +
                          $"counted {hot.Sum(q => counts.GetValueOrDefault(q))}; questions whose count differs: {mismatches}");

        foreach (var (name, path) in new[] { ("room", $"/rooms/{room}"), ("moderation", $"/rooms/{room}/moderation") })
        {
            var samples = new Samples();
            for (var i = -5; i < 100; i++)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await moderator.GetAsync(path);
                await response.Content.ReadAsByteArrayAsync();
                if (i >= 0) samples.Add(Stats.Elapsed(started), (int)response.StatusCode);
            }
            Console.WriteLine($"hot room read {name}: p50 {samples.Percentile(0.5):F1} ms, p99 {samples.Percentile(0.99):F1} ms ({samples.Statuses})");
        }
        clients.ForEach(c => c.Dispose());
        return;

        async Task Count(HttpResponseMessage response)
        {
            statuses.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            Interlocked.Increment(ref commands);
            response.Dispose();
            await Task.CompletedTask;
        }
    }

    private static async Task<string> AskAsync(HttpClient http, string room, string text) =>
        (await (await http.PostAsJsonAsync($"/rooms/{room}/questions", new { text, anonymous = false })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("questionId").GetString()!;
}
