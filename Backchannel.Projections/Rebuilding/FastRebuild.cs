using System.Diagnostics;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Npgsql;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// Rebuilds views the way bulk loads are done, beside the live ones, and switches each over when it has caught up:
/// <list type="number">
/// <item>the events are read once, in large pages by sequence, and every view's own projection folds them into
/// documents held in memory (<see cref="ViewBuild"/>);</item>
/// <item>each view's documents are copied into fresh tables without indexes, then indexed, vacuumed and analyzed
/// (<see cref="ViewTables"/>), while the live tables go on serving;</item>
/// <item>each view catches up on the events appended meanwhile, then, in one transaction that holds its live tables
/// (writers and readers of them wait a moment), applies the last ones, takes the fresh tables in place of the live ones,
/// records its new generation and, for a view the daemon keeps, its position.</item>
/// </list>
/// Readers therefore see the old view until the switch commits and the new one after, never a half-built one.
/// </summary>
internal sealed class FastRebuild(IDocumentStore store, IProgress<ViewRebuilder.Progress> progress, RebuildOptions options)
{
    /// <summary>Events read per page.</summary>
    public const int PageSize = 20_000;

    /// <summary>How far below the high-water mark a sequence skipped by the read may still commit and be caught up.</summary>
    private const long GapWindow = 100_000;

    private readonly List<long> _gaps = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public async Task RunAsync(IReadOnlyList<ViewRebuilder.View> views, CancellationToken ct)
    {
        await ViewGenerations.EnsureAsync(store, ct);
        // Each view reads what it does not own from a session of its own: the views fold side by side.
        var sessions = views.Select(_ => store.LightweightSession()).ToList();
        try
        {
            await RunAsync(views.Select((v, i) => Build(v, sessions[i])).ToList(), ct);
        }
        finally
        {
            foreach (var session in sessions) await session.DisposeAsync();
        }
    }

    private async Task RunAsync(List<ViewBuild> builds, CancellationToken ct)
    {
        var total = await store.LastEventAsync(ct);
        foreach (var build in builds) progress.Report(new ViewRebuilder.Progress(build.View.Name, "rebuilding", 0, TimeSpan.Zero, 0, total));

        var position = await FoldAsync(builds, 0, total, ct);
        foreach (var build in builds)
        {
            build.Memory.TakeChanged();
            await using var connection = await OpenAsync(ct);
            foreach (var table in Tables(build)) await table.CreateFreshAsync(connection, ct);
        }
        await WriteAllAsync(builds, ct);

        foreach (var build in builds)
        {
            // Catch up outside the lock first, so that the switch itself has little left to apply (a view the daemon
            // keeps meanwhile never goes past the daemon's position: it takes over there).
            var caughtUp = build.IsAsync && options.Coordinate ? position : await CatchUpAsync([build], position, long.MaxValue, ct);
            await WriteChangedAsync(build, ct);
            await SwitchAsync(build, caughtUp, ct);
            progress.Report(new ViewRebuilder.Progress(build.View.Name, "rebuilt", build.DocumentCount, _clock.Elapsed, total, total));
        }
        await using (var connection = await OpenAsync(ct))
            await ViewTables.ExecuteAsync(connection, ct, $"drop schema if exists {store.Options.DatabaseSchemaName}_rebuild cascade");
    }

    private ViewBuild Build(ViewRebuilder.View view, IDocumentOperations live)
    {
        var all = ((StoreOptions)store.Options).Projections.All;
        var source = all.FirstOrDefault(p => p.Name == view.ProjectionName)
                     ?? throw new InvalidOperationException($"No projection named {view.ProjectionName}.");
        return new ViewBuild(view, ViewRebuilder.DocumentsOf(view), source, source.Lifecycle == ProjectionLifecycle.Async, live);
    }

    private IEnumerable<ViewTables> Tables(ViewBuild build) => build.DocumentTypes.Select(t => new ViewTables(store, t));

    /// <summary>Reads the events after <paramref name="from"/> up to <paramref name="to"/> in pages and folds them into every view.</summary>
    private async Task<long> FoldAsync(IReadOnlyList<ViewBuild> builds, long from, long to, CancellationToken ct)
    {
        var position = from;
        var next = ReadPageAsync(position, to, ct);
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            var page = await next;
            if (page.Count == 0) break;
            NoteGaps(position, page);
            position = page[^1].Sequence;
            next = position >= to ? Task.FromResult<IReadOnlyList<IEvent>>([]) : ReadPageAsync(position, to, ct);
            await Parallel.ForEachAsync(builds, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
                async (build, token) => await build.ApplyAsync(page, token));
            if (_clock.Elapsed - lastReport >= ViewRebuilder.ProgressInterval || position >= to)
            {
                lastReport = _clock.Elapsed;
                foreach (var build in builds)
                    progress.Report(new ViewRebuilder.Progress(build.View.Name, "progress", 0, _clock.Elapsed, Math.Min(position, to), to));
            }
        }
        return position;
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageAsync(long after, long upTo, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var end = Math.Min(upTo, after + PageSize);
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after && e.Sequence <= end)
            .ToListAsync(ct);
        // In the daemon's order, each event once: the raw query returned an event twice here, and its order is not
        // relied on.
        var page = InOrder(events);
        return page.Count == 0 && end < upTo ? await ReadPageAsync(end, upTo, ct) : page;
    }

    private static List<IEvent> InOrder(IEnumerable<IEvent> events) => events.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence).ToList();

    /// <summary>Sequences the read skipped: a transaction that took one may still commit, and is caught up then.</summary>
    private void NoteGaps(long after, IReadOnlyList<IEvent> page)
    {
        var expected = after + 1;
        foreach (var e in page)
        {
            for (var missing = expected; missing < e.Sequence && _gaps.Count < 10_000; missing++) _gaps.Add(missing);
            expected = e.Sequence + 1;
        }
    }

    /// <summary>Folds into <paramref name="builds"/> the events committed after <paramref name="position"/> (and late ones below it).</summary>
    private async Task<long> CatchUpAsync(IReadOnlyList<ViewBuild> builds, long position, long upTo, CancellationToken ct)
    {
        var late = _gaps.Where(g => g > position - GapWindow).ToArray();
        await using var session = store.QuerySession();
        var events = InOrder(await session.Events.QueryAllRawEvents()
            .Where(e => (e.Sequence > position && e.Sequence <= upTo) || e.Sequence.IsOneOf(late))
            .ToListAsync(ct));
        if (events.Count == 0) return position;
        _gaps.RemoveAll(g => events.Any(e => e.Sequence == g));
        foreach (var build in builds) await build.ApplyAsync(events, ct);
        var reached = Math.Max(position, events[^1].Sequence);
        NoteGaps(position, events.Where(e => e.Sequence > position).ToList());
        return reached;
    }

    private async Task WriteAllAsync(IReadOnlyList<ViewBuild> builds, CancellationToken ct)
    {
        var work = builds.SelectMany(b => Tables(b).Select(t => (Build: b, Table: t))).ToList();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            await using var connection = await OpenAsync(token);
            await item.Table.CopyAsync(connection, item.Build.Memory.Documents[item.Table.Document].Values, token);
            await item.Table.IndexAsync(connection, token);
            await item.Table.VacuumAsync(connection, token);
        });
    }

    /// <summary>Writes again, into the fresh tables, the documents changed since they were last written.</summary>
    private async Task WriteChangedAsync(ViewBuild build, CancellationToken ct, NpgsqlConnection? inTransaction = null)
    {
        var changed = build.Memory.TakeChanged();
        if (changed.Count == 0) return;
        var connection = inTransaction ?? await OpenAsync(ct);
        try
        {
            foreach (var table in Tables(build))
            {
                if (!changed.TryGetValue(table.Document, out var ids) || ids.Count == 0) continue;
                await table.DeleteAsync(connection, ids, ct);
                var present = ids.Select(id => build.Memory.Get(table.Document, id)).OfType<object>().ToList();
                if (present.Count > 0) await table.CopyAsync(connection, present, ct);
            }
        }
        finally
        {
            if (inTransaction is null) await connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Puts the view's fresh tables in place of the live ones in one transaction: it holds the live tables (so that no
    /// command writes them meanwhile), applies what was appended since, switches, and records the generation and,
    /// for a view the daemon keeps, its position.
    /// </summary>
    private async Task SwitchAsync(ViewBuild build, long position, CancellationToken ct)
    {
        var tables = Tables(build).ToList();
        var schema = store.Options.DatabaseSchemaName;
        var shard = $"{build.View.ProjectionName}:All";
        if (build.IsAsync && options.Coordinate)
        {
            // The daemon keeps running: the new tables take over at the daemon's own position, which must not be
            // behind what they hold, or the daemon would apply some events twice.
            position = await WaitForDaemonAsync(shard, position, ct);
        }
        await using var connection = await OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ViewTables.ExecuteAsync(connection, ct,
            $"lock table {string.Join(", ", tables.Select(t => $"{schema}.{t.Live}"))} in access exclusive mode");
        var upTo = build.IsAsync && options.Coordinate ? await ProgressionAsync(connection, shard, ct) : long.MaxValue;
        position = await CatchUpAsync([build], position, upTo, ct);
        await WriteChangedAsync(build, ct, connection);
        foreach (var table in tables) await ViewTables.ExecuteAsync(connection, ct, [.. table.SwitchStatements(await table.ExtraColumnsAsync(connection, ct))]);
        await ViewGenerations.RecordAsync(connection, store, build.View.Name, position, ct);
        if (build.IsAsync && !options.Coordinate)
        {
            await using var progression = new NpgsqlCommand($"""
                insert into {store.Options.Events.DatabaseSchemaName}.mt_event_progression (name, last_seq_id, last_updated)
                values (@name, @position, now())
                on conflict (name) do update set last_seq_id = excluded.last_seq_id, last_updated = excluded.last_updated
                """, connection);
            progression.Parameters.AddWithValue("name", shard);
            progression.Parameters.AddWithValue("position", position);
            await progression.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    private async Task<long> WaitForDaemonAsync(string shard, long position, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            await using var connection = await OpenAsync(ct);
            var daemon = await ProgressionAsync(connection, shard, ct);
            if (daemon >= position) return position;
            if (deadline.Elapsed > options.DaemonWait)
                throw new TimeoutException($"The daemon's {shard} stayed at {daemon}, behind the rebuild's {position}, for {options.DaemonWait}: is a daemon running?");
            await Task.Delay(ViewRebuilder.ProgressInterval, ct);
        }
    }

    private async Task<long> ProgressionAsync(NpgsqlConnection connection, string shard, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select last_seq_id from {store.Options.Events.DatabaseSchemaName}.mt_event_progression where name = @name", connection);
        command.Parameters.AddWithValue("name", shard);
        return await command.ExecuteScalarAsync(ct) is long position ? position : 0;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        return connection;
    }
}

/// <summary>How a rebuild runs.</summary>
/// <param name="Parallelism">How many views fold a page, and how many tables are written, at once.</param>
/// <param name="Coordinate">
/// A daemon runs meanwhile: each async view switches over at the daemon's own position (waiting for it to reach the
/// rebuild's) instead of setting it.
/// </param>
/// <param name="DaemonWait">How long a coordinated rebuild waits for the daemon to reach it.</param>
internal sealed record RebuildOptions(int Parallelism, bool Coordinate, TimeSpan DaemonWait);
