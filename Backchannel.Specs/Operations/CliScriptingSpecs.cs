using Backchannel.Domain.Common;
using System.Diagnostics;
using System.Text.Json;
using Backchannel.Host;
using Backchannel.Host.Cli;
using Backchannel.Host.Operations;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Operations;

/// <summary>
/// The command line in scripts, run as an operator runs it (the built program in its own process, output redirected):
/// standard output holds only the command's output, errors are one line with a distinct exit code, a rebuild refuses
/// to race a running daemon, and no console markup reaches a stream that is not a terminal.
/// </summary>
public sealed class CliScriptingSpecs(AppFixture app) : AppSpec(app)
{
    private const string OwnSchema = "cli_specs";

    private sealed record Run(int ExitCode, string Out, string Error)
    {
        public string All => $"stdout:\n{Out}\nstderr:\n{Error}";
    }

    private static async Task<Run> Cli(string? schema, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Backchannel.Host.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("Backchannel__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        start.Environment["ConnectionStrings__Backchannel"] = AppFixture.ConnectionString;
        start.Environment["Backchannel__Auth__SigningKey"] = AppFixture.SigningKey;
        if (schema is not null) start.Environment["Backchannel__Schema"] = schema;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// A store in <paramref name="schema"/> of its own, with this version's tables, holding only what
    /// <paramref name="append"/> appends; no host of it keeps running (the daemon is off), as for an operator's command.
    /// </summary>
    private static async Task SeedAsync(string schema, Action<IDocumentSession> append)
    {
        await using var own = BackchannelHost.Build([], b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Backchannel"] = AppFixture.ConnectionString,
            ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
            ["Backchannel:Daemon"] = nameof(Backchannel.Projections.DaemonChoice.Off),
            ["Backchannel:Schema"] = schema,
        }));
        var store = own.Services.GetRequiredService<IBackchannelStore>();
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        await store.Advanced.ResetAllData();
        await using var session = store.LightweightSession();
        append(session);
        await session.SaveChangesAsync();
    }

    private static void NoMarkupNorStackTrace(Run run)
    {
        run.All.ShouldNotContain("[/]", Case.Sensitive, run.All);
        run.All.ShouldNotContain("[green]", Case.Insensitive, run.All);
        run.All.ShouldNotContain("   at ", Case.Sensitive, run.All);
    }

    [Fact]
    public async Task token_prints_the_token_alone_on_standard_output()
    {
        var run = await Cli(null, "token", "budi");

        run.ExitCode.ShouldBe(0, run.All);
        var token = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldHaveSingleItem(run.All);
        token.Split('.').Length.ShouldBe(3, run.All);
        NoMarkupNorStackTrace(run);
    }

    [Fact]
    public async Task audit_export_prints_only_json_lines_on_standard_output()
    {
        await As("ayu").StartConversation("budi");
        await AsyncViewsCaughtUp();

        var run = await Cli(null, "audit-export");

        run.ExitCode.ShouldBe(0, run.All);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldNotBeEmpty(run.All);
        foreach (var line in lines) JsonDocument.Parse(line).RootElement.GetProperty("decision").GetString().ShouldNotBeNull(line);
        NoMarkupNorStackTrace(run);
    }

    [Fact]
    public async Task an_unknown_view_is_one_line_with_the_views_and_exit_code_2()
    {
        var run = await Cli(null, "rebuild", "--view", "inboxes");

        run.ExitCode.ShouldBe(RebuildCommand.UnknownView, run.All);
        run.Out.ShouldBeEmpty(run.All);
        var line = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("inboxes")).ShouldHaveSingleItem(run.All);
        line.ShouldBe($"Unknown view 'inboxes'. Views: {string.Join(", ", ViewRebuilder.All.Select(v => v.Name))}.");
        NoMarkupNorStackTrace(run);
    }

    [Fact]
    public async Task a_rebuild_of_a_store_nothing_has_written_yet_makes_its_tables_and_rebuilds_every_view_from_no_events()
    {
        var schema = $"cli_empty_{Guid.NewGuid():N}"[..24];
        try
        {
            var run = await Cli(schema, "rebuild");

            run.ExitCode.ShouldBe(0, run.All);
            run.Out.ShouldContain($"rebuilt {ViewRebuilder.All.Count} view(s) of 0 events", Case.Sensitive, run.All);
            foreach (var view in ViewRebuilder.All) run.Out.ShouldContain($"live: {view.Name} generation 1,", Case.Sensitive, run.All);
        }
        finally
        {
            await using var connection = new Npgsql.NpgsqlConnection(AppFixture.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"drop schema if exists {schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task a_rebuild_refuses_while_the_hosts_daemon_runs_on_the_database()
    {
        var run = await Cli(null, "rebuild", "--view", "audit");

        run.ExitCode.ShouldBe(RebuildCommand.DaemonRunning, run.All);
        run.Out.ShouldBeEmpty(run.All);
        run.Error.ShouldContain("daemon is running", Case.Sensitive, run.All);
        run.Error.ShouldContain("--force", Case.Sensitive, run.All);
        run.Error.ShouldContain("--coordinate", Case.Sensitive, run.All);
        NoMarkupNorStackTrace(run);
    }

    [Fact]
    public async Task a_rebuild_runs_with_plain_progress_lines_when_redirected_and_force_overrides_a_running_daemon()
    {
        // A schema of its own, with events and no host: the daemon below is this spec's own mark of one.
        await SeedAsync(OwnSchema, session =>
        {
            for (var i = 0; i < 5; i++) session.Events.Append($"cli_user_{i}", new Backchannel.Domain.People.UserFollowed($"cli_user_{i}", "budi", DateTimeOffset.UtcNow));
        });
        await using var daemon = new NpgsqlConnection(AppFixture.ConnectionString);
        await daemon.OpenAsync();
        await using (var mark = new NpgsqlCommand("select pg_advisory_lock_shared(@key)", daemon))
        {
            mark.Parameters.AddWithValue("key", DaemonPresence.LockKey(OwnSchema));
            await mark.ExecuteNonQueryAsync();
        }

        (await Cli(OwnSchema, "rebuild", "--view", "profiles")).ExitCode.ShouldBe(RebuildCommand.DaemonRunning);
        var run = await Cli(OwnSchema, "rebuild", "--view", "profiles", "--force");

        run.ExitCode.ShouldBe(0, run.All);
        var lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("profiles: rebuilding...", run.All);
        lines.ShouldContain(l => l.StartsWith("rebuild: 100% of events, ") && l.Contains(" events/s, "), run.All);
        lines.ShouldContain(l => l.StartsWith("profiles: rebuilt, 5 documents in "), run.All);
        lines[^2].ShouldStartWith("rebuilt 1 view(s) of 5 events in ", Case.Sensitive, run.All);
        lines[^1].ShouldStartWith("live: profiles generation ", Case.Sensitive, run.All);
        lines[^1].ShouldContain(", switched in at ", Case.Sensitive, run.All);
        var generation = int.Parse(lines[^1].Split(' ')[3].TrimEnd(','));
        run.Out.ShouldNotContain("\r", Case.Sensitive, "no bar off a terminal");
        NoMarkupNorStackTrace(run);

        var coordinated = await Cli(OwnSchema, "rebuild", "--view", "profiles", "--coordinate");

        coordinated.ExitCode.ShouldBe(0, coordinated.All);
        coordinated.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]
            .ShouldStartWith($"live: profiles generation {generation + 1}, ", Case.Sensitive, "a daemon runs, and the rebuild switched in beside it");
    }

    [Fact]
    public async Task the_rebuild_command_upgrades_a_push_feed_of_the_earlier_version_on_a_store_no_host_of_this_version_has_started()
    {
        const string upgrading = "cli_upgrade_specs";
        await SeedAsync(upgrading, session => session.Events.Append(History.ConversationId, History.GroupRequest()));
        async Task<object?> Sql(string sql)
        {
            await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            return await command.ExecuteScalarAsync();
        }
        // As the earlier version left it: its own feed table, and none of this version's.
        await Sql($"drop table {upgrading}.mt_doc_pushitem");
        await Sql($"create table {upgrading}.mt_doc_feeditem (id varchar primary key, data jsonb not null, user_id varchar)");
        await Sql($"create function {upgrading}.mt_upsert_feeditem(doc jsonb, docid varchar) returns void language sql as 'select 1'");

        var run = await Cli(upgrading, "rebuild", "--view", "push");

        run.ExitCode.ShouldBe(0, run.All);
        NoMarkupNorStackTrace(run);
        ((bool)(await Sql($"select to_regclass('{upgrading}.mt_doc_feeditem') is null"))!).ShouldBeTrue(run.All);
        ((long)(await Sql($"select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = '{upgrading}' and p.proname like '%feeditem'"))!)
            .ShouldBe(0, "the old table's functions go with it");
        ((long)(await Sql($"select count(*) from {upgrading}.mt_doc_pushitem"))!).ShouldBeGreaterThan(0, run.All);
        ((long)(await Sql($"select count(*) from pg_indexes where schemaname = '{upgrading}' and tablename = 'mt_doc_pushitem'"))!)
            .ShouldBe(4, "the fresh feed has the indexes of this version");
    }
}

/// <summary>The rebuild's progress as a terminal shows it and as a log receives it, from the same reports.</summary>
public sealed class RebuildProgressViewSpecs
{
    private static string Render(bool terminal)
    {
        var output = new StringWriter();
        var view = new RebuildProgressView(output, terminal, views: 2);
        view.Report(new ViewRebuilder.Progress("audit", "rebuilding", 0, TimeSpan.Zero, 0, 100));
        view.Report(new ViewRebuilder.Progress("push", "rebuilding", 0, TimeSpan.Zero, 0, 100));
        view.Report(new ViewRebuilder.Progress("audit", "progress", 0, TimeSpan.FromSeconds(1), 50, 100));
        view.Report(new ViewRebuilder.Progress("push", "progress", 0, TimeSpan.FromSeconds(1), 20, 100));
        view.Report(new ViewRebuilder.Progress("audit", "rebuilt", 7, TimeSpan.FromSeconds(2), 100, 100));
        view.Report(new ViewRebuilder.Progress("push", "rebuilt", 9, TimeSpan.FromSeconds(2), 100, 100));
        view.Finish();
        return output.ToString();
    }

    [Fact]
    public void on_a_terminal_one_bar_is_redrawn_in_place_with_percent_rate_and_time_left()
    {
        var shown = Render(terminal: true);

        shown.ShouldContain("\r[##################............]  60% of events, ");
        shown.ShouldContain(" events/s, ");
        shown.ShouldContain(" left");
        shown.ShouldContain("audit: rebuilt, 7 documents in 2.0s\n".Replace("\n", Environment.NewLine));
        shown.ShouldNotContain("rebuilding...", Case.Sensitive, "the bar says it");
    }

    [Fact]
    public void the_rate_counts_the_stores_events_once_however_many_views_fold_them()
    {
        var output = new StringWriter();
        var view = new RebuildProgressView(output, terminal: false, views: 2, elapsed: () => TimeSpan.FromSeconds(10));
        view.Report(new ViewRebuilder.Progress("audit", "progress", 0, TimeSpan.FromSeconds(10), 50, 100));
        view.Report(new ViewRebuilder.Progress("push", "progress", 0, TimeSpan.FromSeconds(10), 50, 100));

        // Both views are half way through 100 events in 10 s: 5 of the store's events a second, 10 s left.
        output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries)[^1]
            .ShouldBe("rebuild:  50% of events, 5 events/s, 00:00:10 left");
    }

    [Fact]
    public void redirected_it_writes_plain_lines_a_progress_line_per_tenth_of_the_events()
    {
        var lines = Render(terminal: false).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

        lines.ShouldNotContain(l => l.Contains('\r'));
        lines[0].ShouldBe("audit: rebuilding...");
        lines[1].ShouldBe("push: rebuilding...");
        lines[2].ShouldStartWith("rebuild:  25% of events, ");
        lines[3].ShouldStartWith("rebuild:  35% of events, ");
        lines[4].ShouldBe("audit: rebuilt, 7 documents in 2.0s");
        lines[5].ShouldStartWith("rebuild:  60% of events, ");
        lines[6].ShouldBe("push: rebuilt, 9 documents in 2.0s");
        lines[7].ShouldStartWith("rebuild: 100% of events, ");
        lines[8].ShouldStartWith("rebuilt 2 view(s) of 100 events in ");
    }
}
