using System.Diagnostics;
using Backchannel.Projections.Push;
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
    /// <summary>How far below the high-water mark a sequence skipped by the read may still commit and be caught up.</summary>
    private const long GapWindow = 100_000;

    private readonly List<long> _gaps = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private static readonly bool Trace = Environment.GetEnvironmentVariable("BACKCHANNEL_REBUILD_TRACE") == "1";
    private TimeSpan _lastPhase;

    private void Phase(string name)
    {
        if (!Trace) return;
        var now = _clock.Elapsed;
        Console.Error.WriteLine($"rebuild phase {name}: {(now - _lastPhase).TotalSeconds:F2}s (at {now.TotalSeconds:F2}s, working set {Environment.WorkingSet >> 20} MiB; " +
                                $"allocated {GC.GetTotalAllocatedBytes() >> 20} MiB, GC pauses {GC.GetTotalPauseDuration().TotalSeconds:F2}s, collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)})");
        _lastPhase = now;
    }

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

        // The live tables first, as a started host would have them: the rebuild copies their indexes and switches its
        // fresh tables in for them, and the command runs without starting the host (on an upgrade, a view's table of
        // this version may not exist yet).
        foreach (var type in builds.SelectMany(b => b.Tables.Keys).Distinct()) await store.Storage.Database.EnsureStorageExistsAsync(type, ct);
        // The fresh tables are made while the first pages fold: nothing is written to or read back from them before
        // the first hand-off, which waits for them (Write, WrittenAsync).
        _tablesMade = MakeFreshTablesAsync(builds, ct);
        long position;
        try
        {
            foreach (var build in builds) build.Memory.Cold = (type, query, token) => ColdAsync(build, type, query, token);
            if (builds.Any(b => b.KeepsFeed))
            {
                var databaseNow = await DatabaseNowAsync(ct);
                foreach (var build in builds) build.KeepAsOf(databaseNow);
            }
            Phase("start");
            position = await FoldAsync(builds, 0, total, ct);
            await DrainAsync();
        }
        catch (Exception)
        {
            // Nothing of a failed fold outlives it: the tables being made and the copies in flight end before the
            // failure goes on, so that a retry never races their drops and copies.
            await SettledAsync(DrainAsync());
            throw;
        }
        foreach (var build in builds) build.Gaps.AddRange(_gaps);
        Phase("fold");
        if (Trace) Console.Error.WriteLine("  folding: " + string.Join(", ", builds.OrderByDescending(b => b.Folding).Select(b => $"{b.View.Name} {b.Folding.TotalSeconds:F2}s" + (b.ReadBack > 0 ? $" ({b.ReadBack} read back in {b.ReadingBack.TotalSeconds:F2}s)" : ""))) + $"; reading {_reading.TotalSeconds:F2}s; writing during the fold {_writing.TotalSeconds:F2}s");
        await FinishTablesAsync(builds, ct);
        foreach (var build in builds) build.Memory.TrackChanges = true;
        Phase("write the rest, index, rewrite, vacuum");

        // Each view catches up and switches in its own transaction: they go side by side.
        await Parallel.ForEachAsync(builds, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (build, token) =>
        {
            // Catch up outside the lock first, so that the switch itself has little left to apply (a view the daemon
            // keeps meanwhile never goes past the daemon's position: it takes over there).
            var caughtUp = build.IsAsync && options.Coordinate ? position : await CatchUpAsync(build, position, long.MaxValue, token);
            await WriteChangedAsync(build, token);
            await SwitchAsync(build, caughtUp, token);
            if (build.Memory.LeftOutThrough > 0)
                progress.Report(new ViewRebuilder.Progress(build.View.Name, "left out", 0, _clock.Elapsed, build.Memory.LeftOutThrough, total));
            progress.Report(new ViewRebuilder.Progress(build.View.Name, "rebuilt", build.DocumentCount, _clock.Elapsed, total, total));
        });
        Phase("catch up and switch");
        await using (var connection = await OpenAsync(ct))
            await ViewTables.ExecuteAsync(connection, ct, $"drop schema if exists {store.Options.DatabaseSchemaName}_rebuild cascade");
    }

    private Task _tablesMade = Task.CompletedTask;

    /// <summary>Waits for <paramref name="work"/> to end, however it ends: the failure being handled is the one reported.</summary>
    private static async Task SettledAsync(Task work)
    {
        try { await work; }
        catch (Exception) { /* reported by the caller's own failure */ }
    }

    private async Task MakeFreshTablesAsync(IReadOnlyList<ViewBuild> builds, CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        foreach (var table in builds.SelectMany(Tables)) await table.CreateFreshAsync(connection, ct);
    }

    /// <summary>Writes of the documents handed off, per table in order; a read back of a table waits for its writes.</summary>
    private readonly Dictionary<Type, Task> _writes = [];
    private readonly SemaphoreSlim _writers = new(2);
    private TimeSpan _writing;

    private void Write(ViewTables table, List<object> documents, CancellationToken ct)
    {
        lock (_writes) _writes[table.Document] = WriteAfterAsync(_writes.GetValueOrDefault(table.Document) ?? _tablesMade, table, documents, ct);
    }

    private async Task WriteAfterAsync(Task previous, ViewTables table, List<object> documents, CancellationToken ct)
    {
        await previous;
        await _writers.WaitAsync(ct);
        try
        {
            var started = Stopwatch.GetTimestamp();
            await using var connection = await OpenAsync(ct);
            await table.CopyAsync(connection, documents, ct);
            lock (_writes) _writing += Stopwatch.GetElapsedTime(started);
        }
        finally
        {
            _writers.Release();
        }
    }

    private Task WrittenAsync(Type document)
    {
        lock (_writes) return _writes.GetValueOrDefault(document) ?? _tablesMade;
    }

    private Task DrainAsync()
    {
        lock (_writes) return Task.WhenAll([.. _writes.Values, _tablesMade]);
    }

    /// <summary>Reads back documents of <paramref name="build"/> already handed off, once their writes are done.</summary>
    private async Task<IReadOnlyList<object>> ColdAsync(ViewBuild build, Type type, ColdQuery query, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await WrittenAsync(type);
            await using var connection = await OpenAsync(ct);
            var found = await build.Tables[type].ReadAsync(connection, query, ct);
            build.ReadBack += found.Count;
            return found;
        }
        finally { build.ReadingBack += Stopwatch.GetElapsedTime(started); }
    }

    /// <summary>
    /// After the fold: copies what memory still holds, builds the indexes, replaces the rows of documents changed
    /// after they were handed off, and vacuums and analyzes each table.
    /// </summary>
    private async Task FinishTablesAsync(IReadOnlyList<ViewBuild> builds, CancellationToken ct)
    {
        var work = builds.SelectMany(b =>
        {
            var rest = b.Memory.HandOff(null);
            return b.Tables.Values.Select(t => (Build: b, Table: t, Remaining: rest.GetValueOrDefault(t.Document) ?? []));
        }).ToList();
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            await using var connection = await OpenAsync(token);
            var clock = Stopwatch.StartNew();
            if (item.Remaining.Count > 0) await item.Table.CopyAsync(connection, item.Remaining, token);
            var copied = clock.Elapsed;
            await item.Table.IndexAsync(connection, token);
            var indexed = clock.Elapsed;
            if (item.Build.Memory.Rewrites.TryGetValue(item.Table.Document, out var rewrite) && rewrite.Count > 0)
            {
                await item.Table.DeleteAsync(connection, rewrite, token);
                var present = rewrite.Select(id => item.Build.Memory.Get(item.Table.Document, id)).OfType<object>().ToList();
                if (present.Count > 0) await item.Table.CopyAsync(connection, present, token);
            }
            var rewritten = clock.Elapsed;
            await item.Table.VacuumAsync(connection, token);
            if (Trace && item.Build.Memory.Count(item.Table.Document) > 0)
                Console.Error.WriteLine($"  table {item.Table.Document.Name}: {item.Build.Memory.Count(item.Table.Document)} docs, {item.Remaining.Count} at the end, copy {copied.TotalSeconds:F2}s, index {(indexed - copied).TotalSeconds:F2}s, " +
                                        $"rewrite {rewrite?.Count ?? 0} {(rewritten - indexed).TotalSeconds:F2}s, vacuum {(clock.Elapsed - rewritten).TotalSeconds:F2}s");
        });
    }

    internal ViewBuild Build(ViewRebuilder.View view, IDocumentOperations live)
    {
        var all = ((StoreOptions)store.Options).Projections.All;
        var source = all.FirstOrDefault(p => p.Name == view.ProjectionName)
                     ?? throw new InvalidOperationException($"No projection named {view.ProjectionName}.");
        return new ViewBuild(store, view, ViewRebuilder.DocumentsOf(view), source, source.Lifecycle == ProjectionLifecycle.Async, live);
    }

    /// <summary>
    /// Drops a table an earlier version of a view kept, and the functions Marten wrote for its documents
    /// (<c>mt_upsert_…</c>, <c>mt_insert_…</c>, <c>mt_update_…</c>, <c>mt_overwrite_…</c>), which nothing calls once it is gone.
    /// </summary>
    private async Task RetireAsync(NpgsqlConnection connection, string table, CancellationToken ct)
    {
        var schema = store.Options.DatabaseSchemaName;
        await ViewTables.ExecuteAsync(connection, ct, $"drop table if exists {schema}.{table}");
        var document = table["mt_doc_".Length..];
        await using var functions = new NpgsqlCommand("""
            select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = @schema and p.proname = any(@names)
            """, connection);
        functions.Parameters.AddWithValue("schema", schema);
        functions.Parameters.AddWithValue("names", new[] { "upsert", "insert", "update", "overwrite" }.Select(verb => $"mt_{verb}_{document}").ToArray());
        var signatures = new List<string>();
        await using (var reader = await functions.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) signatures.Add(reader.GetString(0));
        foreach (var signature in signatures) await ViewTables.ExecuteAsync(connection, ct, $"drop function {signature}");
    }

    private static IEnumerable<ViewTables> Tables(ViewBuild build) => build.Tables.Values;

    /// <summary>Reads the events after <paramref name="from"/> up to <paramref name="to"/> in pages and folds them into every view.</summary>
    private async Task<long> FoldAsync(IReadOnlyList<ViewBuild> builds, long from, long to, CancellationToken ct)
    {
        var position = from;
        var next = ReadPageAsync(position, to, ct);
        var lastReport = TimeSpan.Zero;
        var pages = 0;
        var handedOff = Task.CompletedTask;
        while (true)
        {
            var page = await next;
            if (page.Count == 0) break;
            NoteGaps(_gaps, position, page);
            position = page[^1].Sequence;
            next = position >= to ? Task.FromResult<IReadOnlyList<IEvent>>([]) : ReadPageAsync(position, to, ct);
            pages++;
            var shared = new EventPage(page);
            await Parallel.ForEachAsync(builds, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct },
                async (build, token) =>
                {
                    build.Memory.Page = pages;
                    await build.ApplyAsync(shared, token);
                });
            // The documents no event touched for a while go to their fresh tables while the next pages fold; what the
            // previous page handed off is written first, so memory holds at most one page's hand-off in flight.
            await handedOff;
            foreach (var build in builds)
                foreach (var (type, documents) in build.Memory.HandOff(pages - options.HotPages + 1))
                    Write(build.Tables[type], documents, ct);
            handedOff = DrainAsync();
            if (_clock.Elapsed - lastReport >= ViewRebuilder.ProgressInterval || position >= to)
            {
                lastReport = _clock.Elapsed;
                foreach (var build in builds)
                    progress.Report(new ViewRebuilder.Progress(build.View.Name, "progress", 0, _clock.Elapsed, Math.Min(position, to), to));
            }
        }
        return position;
    }

    private TimeSpan _reading;

    private async Task<IReadOnlyList<IEvent>> ReadPageAsync(long after, long upTo, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try { return await ReadPageTimedAsync(after, upTo, ct); }
        finally { _reading += Stopwatch.GetElapsedTime(started); }
    }

    private async Task<IReadOnlyList<IEvent>> ReadPageTimedAsync(long after, long upTo, CancellationToken ct)
    {
        var end = Math.Min(upTo, after + options.PageSize);
        IReadOnlyList<IEvent> events = await _pages.ReadAsync(after, end, ct) ?? await MartenReadAsync(after, end, ct);
        // In the daemon's order, each event once: the raw query returned an event twice here, and its order is not
        // relied on.
        var page = InOrder(events);
        return page.Count == 0 && end < upTo ? await ReadPageAsync(end, upTo, ct) : page;
    }

    private readonly EventPages _pages = new(store);

    private async Task<IReadOnlyList<IEvent>> MartenReadAsync(long after, long end, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents().Where(e => e.Sequence > after && e.Sequence <= end).ToListAsync(ct);
    }

    private static List<IEvent> InOrder(IReadOnlyList<IEvent> events)
    {
        // The page read orders by sequence: only another read needs sorting.
        var ordered = true;
        for (var i = 1; i < events.Count && ordered; i++) ordered = events[i].Sequence > events[i - 1].Sequence;
        return ordered && events is List<IEvent> list ? list : events.DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence).ToList();
    }

    /// <summary>Sequences the read skipped: a transaction that took one may still commit, and is caught up then.</summary>
    private static void NoteGaps(List<long> gaps, long after, IReadOnlyList<IEvent> page)
    {
        var expected = after + 1;
        foreach (var e in page)
        {
            for (var missing = expected; missing < e.Sequence && gaps.Count < 10_000; missing++) gaps.Add(missing);
            expected = e.Sequence + 1;
        }
    }

    /// <summary>Folds into <paramref name="build"/> the events committed after <paramref name="position"/> (and late ones below it).</summary>
    private async Task<long> CatchUpAsync(ViewBuild build, long position, long upTo, CancellationToken ct)
    {
        // Each view has its own list of the sequences it skipped: the views catch up one apart from the other.
        var gaps = build.Gaps;
        var late = gaps.Where(g => g > position - GapWindow).ToArray();
        await using var session = store.QuerySession();
        var events = InOrder(await session.Events.QueryAllRawEvents()
            .Where(e => (e.Sequence > position && e.Sequence <= upTo) || e.Sequence.IsOneOf(late))
            .ToListAsync(ct));
        if (events.Count == 0) return position;
        gaps.RemoveAll(g => events.Any(e => e.Sequence == g));
        await build.ApplyAsync(new EventPage(events), ct);
        var reached = Math.Max(position, events[^1].Sequence);
        NoteGaps(gaps, position, events.Where(e => e.Sequence > position).ToList());
        return reached;
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
        position = await CatchUpAsync(build, position, upTo, ct);
        await WriteChangedAsync(build, ct, connection);
        // A client resuming from before what was left out is told to reload, as after pruning.
        if (build.Memory.LeftOutThrough > 0) await store.MarkPrunedThroughAsync(build.Memory.LeftOutThrough, transaction, ct);
        foreach (var table in tables) await ViewTables.ExecuteAsync(connection, ct, [.. table.SwitchStatements(await table.ExtraColumnsAsync(connection, ct))]);
        foreach (var retired in build.View.Retires ?? []) await RetireAsync(connection, retired, ct);
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

    private async Task<DateTimeOffset> DatabaseNowAsync(CancellationToken ct)
    {
        await using var connection = await OpenAsync(ct);
        await using var command = new NpgsqlCommand("select now()", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetFieldValue<DateTimeOffset>(0);
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
/// <param name="PageSize">Events read and folded at a time.</param>
/// <param name="HotPages">
/// How many pages a document stays in memory after it was last touched, before it goes to its fresh table (and is
/// read back from there if a later event needs it).
/// </param>
internal sealed record RebuildOptions(int Parallelism, bool Coordinate, TimeSpan DaemonWait, int PageSize = 20_000, int HotPages = 3);
