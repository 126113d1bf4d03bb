using Backchannel.Domain.Conversations;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Marten;
using Npgsql;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Replay;

/// <summary>
/// A view rebuilt while the host serves is built beside the live one and switched in at once: readers see the old
/// version until the switch and the new one after, never a mix, and what was written meanwhile is in the new one.
/// </summary>
public sealed class ZeroDowntimeSpecs(AppFixture app) : AppSpec(app)
{
    private const string Old = "the old version";

    [Fact]
    public async Task reads_during_a_rebuild_answer_the_old_view_then_the_new_one_never_a_mix_and_writes_meanwhile_are_kept()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        await new RandomHistory(bus, seed: 3).RunAsync(60);
        await AsyncViewsCaughtUp();
        var table = $"{Store.Options.DatabaseSchemaName}.mt_doc_conversationview";
        // The live view made to differ detectably from its rebuild: every conversation carries the old version's title.
        int conversations;
        await using (var mark = new NpgsqlConnection(AppFixture.ConnectionString))
        {
            await mark.OpenAsync();
            conversations = await new NpgsqlCommand($"update {table} set data = jsonb_set(data, '{{title}}', to_jsonb('{Old}'::text))", mark).ExecuteNonQueryAsync();
        }
        conversations.ShouldBeGreaterThan(0);
        var generation = (await Store.GenerationsAsync()).Single(g => g.View == "conversations").Number;

        using var stop = new CancellationTokenSource();
        var observed = new List<(long Old, long All)>();
        var reader = Task.Run(async () =>
        {
            await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
            await connection.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var count = new NpgsqlCommand($"select count(*) filter (where data->>'title' = '{Old}'), count(*) from {table}", connection);
                await using var row = await count.ExecuteReaderAsync();
                await row.ReadAsync();
                lock (observed) observed.Add((row.GetInt64(0), row.GetInt64(1)));
            }
        });

        var during = new List<long>();
        var written = false;
        await Store.RebuildAsync("conversations", new SynchronousProgress<ViewRebuilder.Progress>(p =>
        {
            if (p.Stage != "progress" || written) return;
            written = true;
            // A command served while the view is being rebuilt: its event comes after the rebuild's high-water mark.
            bus.InvokeAsync(new RequestConversation("during-rebuild", "ayu", ["budi"], "sent while the view was rebuilt", null)).GetAwaiter().GetResult();
            using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
            connection.Open();
            during.Add((long)new NpgsqlCommand($"select count(*) filter (where data->>'title' = '{Old}') from {table}", connection).ExecuteScalar()!);
        }));
        await stop.CancelAsync();
        await reader;

        written.ShouldBeTrue();
        during.ShouldBe([conversations], "while the rebuild runs, readers are served the old version");
        observed.ShouldNotBeEmpty();
        observed.ShouldAllBe(o => o.Old == conversations || o.Old == 0, "a read sees the old version whole or the new one whole");
        var switched = observed.FindIndex(o => o.Old == 0);
        if (switched >= 0) observed.Skip(switched).ShouldAllBe(o => o.Old == 0, "once switched, never back");

        await using var query = Store.QuerySession();
        (await query.Query<ConversationView>().CountAsync(v => v.Title == Old)).ShouldBe(0);
        (await query.LoadAsync<ConversationView>("during-rebuild")).ShouldNotBeNull("the write made during the rebuild is in the new version")
            .OpeningMessage!.Text.ShouldBe("sent while the view was rebuilt");
        (await Store.GenerationsAsync()).Single(g => g.View == "conversations").Number.ShouldBe(generation + 1);

        // The new version is what a rebuild from the events gives: rebuilding it again changes nothing.
        var rebuilt = await StoredViews.CaptureAsync(Store);
        await Store.RebuildAsync("conversations", new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(rebuilt);
    }
}
