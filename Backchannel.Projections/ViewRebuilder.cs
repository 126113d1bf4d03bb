using System.Diagnostics;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Rooms;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Push;
using Marten;

namespace Backchannel.Projections;

/// <summary>Rebuilds Backchannel's views (and the decisions' state snapshots) from the events alone: all, or one by name.</summary>
public static class ViewRebuilder
{
    /// <summary>A view by the name operators use, the Marten projection that builds it, and how to count its documents.</summary>
    /// <param name="Name">The name operators give <c>rebuild --view</c>.</param>
    /// <param name="ProjectionName">The Marten projection that builds the view.</param>
    /// <param name="Count">How many documents the view holds, for the progress line.</param>
    /// <param name="Owns">
    /// Documents a custom projection writes that Marten's rebuild does not clear by itself (measured: the push feed's
    /// items and audiences survived a rebuild); they are deleted first, so nothing from before the rebuild remains.
    /// </param>
    /// <param name="Retires">
    /// Tables of an earlier version of the view that this version reads no more, dropped in the transaction that switches
    /// the rebuilt view in: what they hold (text an erasure would no longer reach) leaves with them.
    /// </param>
    public sealed record View(string Name, string ProjectionName, Func<IQuerySession, CancellationToken, Task<int>> Count,
        IReadOnlyList<Type>? Owns = null, IReadOnlyList<string>? Retires = null);

    /// <summary>Every view that can be rebuilt, by the name operators use.</summary>
    public static readonly IReadOnlyList<View> All =
    [
        new("conversations", nameof(ConversationView), (s, ct) => s.Query<ConversationView>().CountAsync(ct)),
        new("threads", nameof(MessageState), (s, ct) => s.Query<MessageState>().CountAsync(ct), Retires: [LegacyThreadTable]),
        new("rooms", nameof(RoomView), (s, ct) => s.Query<RoomView>().CountAsync(ct)),
        new("questions", nameof(QuestionView), (s, ct) => s.Query<QuestionView>().CountAsync(ct)),
        new("events", nameof(EventView), (s, ct) => s.Query<EventView>().CountAsync(ct)),
        new("audit", RequestAuditProjection.ProjectionName, (s, ct) => s.Query<RequestAuditEntry>().CountAsync(ct)),
        new("room-audit", RoomAuditProjection.ProjectionName, (s, ct) => s.Query<RoomAuditEntry>().CountAsync(ct)),
        new("profiles", nameof(UserProfile), (s, ct) => s.Query<UserProfile>().CountAsync(ct)),
        new("conversation-state", nameof(Conversation), (s, ct) => s.Query<Conversation>().CountAsync(ct)),
        new("request-reach", nameof(Backchannel.Domain.Requests.RequestReach), (s, ct) => s.Query<Backchannel.Domain.Requests.RequestReach>().CountAsync(ct)),
        new("room-state", nameof(Room), (s, ct) => s.Query<Room>().CountAsync(ct)),
        new("participants", nameof(Participant), (s, ct) => s.Query<Participant>().CountAsync(ct)),
        new("question-state", nameof(Question), (s, ct) => s.Query<Question>().CountAsync(ct)),
        new("upvotes", nameof(Upvote), (s, ct) => s.Query<Upvote>().CountAsync(ct)),
        new("event-state", nameof(PlannedEvent), (s, ct) => s.Query<PlannedEvent>().CountAsync(ct)),
        new("erasures", nameof(Backchannel.Domain.Privacy.Erasure), (s, ct) => s.Query<Backchannel.Domain.Privacy.Erasure>().CountAsync(ct)),
        new("suspensions", nameof(Backchannel.Domain.Safety.Suspension), (s, ct) => s.Query<Backchannel.Domain.Safety.Suspension>().CountAsync(ct)),
        new("report-cases", nameof(Backchannel.Domain.Safety.ReportCase), (s, ct) => s.Query<Backchannel.Domain.Safety.ReportCase>().CountAsync(ct)),
        new("reports-filed", nameof(Backchannel.Domain.Safety.ReportsFiled), (s, ct) => s.Query<Backchannel.Domain.Safety.ReportsFiled>().CountAsync(ct)),
        new("moderation-audit", Safety.ModerationAuditProjection.ProjectionName, (s, ct) => s.Query<Safety.ModerationAuditEntry>().CountAsync(ct)),
        new("push", PushFeedProjection.ProjectionName, (s, ct) => s.Query<FeedItem>().CountAsync(ct),
            [typeof(FeedItem), typeof(ConversationAudience), typeof(RoomAudience)], Retires: [LegacyFeedTable]),
    ];

    /// <summary>
    /// One report of progress: a view <c>rebuilding</c> (started), <c>progress</c> (every
    /// <see cref="ProgressInterval"/> while it runs), <c>left out</c> (the push feed switched in without the items its
    /// retention would prune, the last of them at <see cref="Position"/>, which the feed's mark now covers; reported before
    /// <c>rebuilt</c>, and not a position the replay has reached) or <c>rebuilt</c> (with its
    /// document count).
    /// </summary>
    /// <param name="View">The view's name.</param>
    /// <param name="Stage"><c>rebuilding</c>, <c>progress</c>, <c>left out</c> or <c>rebuilt</c>.</param>
    /// <param name="Documents">The documents the view holds once rebuilt; 0 before.</param>
    /// <param name="Elapsed">Since the view started.</param>
    /// <param name="Position">How far through the events the view's rebuild has gone (its sequence).</param>
    /// <param name="Total">The last event's sequence when the rebuild began: the position at which the view is done.</param>
    public sealed record Progress(string View, string Stage, int Documents, TimeSpan Elapsed, long Position = 0, long Total = 0);

    /// <summary>How often a running view reports its position.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The thread's own table before a message was stored once (2026-12-02).</summary>
    private const string LegacyThreadTable = "mt_doc_threadmessage";

    /// <summary>The push feed's table before an item was stored once for all its recipients (2026-12-02).</summary>
    private const string LegacyFeedTable = "mt_doc_feeditem";

    /// <summary>
    /// The views whose stored documents are of a shape this version does not read, so that serving before they are
    /// rebuilt would go wrong: a view while a table it retires is still there (the thread's and the push feed's earlier
    /// tables), and <c>threads</c> while a message document predates the thread reading it (it has no conversation: the
    /// thread would not find it, and a change to it could fail). Empty on a store this version wrote.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ViewsToRebuildAsync(this IDocumentStore store, CancellationToken ct = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        var messages = ((IReadOnlyStoreOptions)store.Options).FindOrResolveDocumentType(typeof(MessageState)).TableName.Name;
        await using var connection = (Npgsql.NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        var retiring = All.SelectMany(v => (v.Retires ?? []).Select(table => (View: v.Name, Table: table))).ToList();
        await using var tables = new Npgsql.NpgsqlCommand(
            "select t.name from unnest(@tables) as t(name) where to_regclass(@schema || '.' || t.name) is not null", connection);
        tables.Parameters.AddWithValue("tables", retiring.Select(r => r.Table).Append(messages).ToArray());
        tables.Parameters.AddWithValue("schema", schema);
        var present = new HashSet<string>();
        await using (var reader = await tables.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) present.Add(reader.GetString(0));
        var views = retiring.Where(r => present.Contains(r.Table)).Select(r => r.View).ToList();
        if (!views.Contains("threads") && present.Contains(messages))
        {
            await using var unshaped = new Npgsql.NpgsqlCommand($"select exists (select 1 from {schema}.{messages} where conversation_id is null)", connection);
            if ((bool)(await unshaped.ExecuteScalarAsync(ct))!) views.Add("threads");
        }
        return All.Select(v => v.Name).Where(views.Contains).ToList();
    }

    /// <summary>The view named <paramref name="name"/>, or null.</summary>
    public static View? Named(string name) => All.FirstOrDefault(v => v.Name == name);

    /// <summary>The last event's sequence: what every view has to replay.</summary>
    /// <remarks>
    /// One plain statement, not Marten's event query: that was the first LINQ query of a rebuild's process, and
    /// translating it cost the command a third of a second before anything was read.
    /// </remarks>
    public static async Task<long> LastEventAsync(this IDocumentStore store, CancellationToken ct = default)
    {
        await store.Storage.Database.EnsureStorageExistsAsync(typeof(JasperFx.Events.IEvent), ct);
        await using var connection = (Npgsql.NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(
            $"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events where is_archived = false", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Rebuilds one view by name (<paramref name="view"/>), or every view when it is null, reporting each as it goes.
    /// The views are rebuilt beside the live ones and switched in when done: readers see the old view until then.
    /// For a database where no daemon runs (or one this rebuild may override): each async view's position is set to
    /// where its rebuild ended.
    /// </summary>
    /// <param name="store">The store whose events are replayed.</param>
    /// <param name="view">A name from <see cref="All"/>, or null for all.</param>
    /// <param name="progress">Told when each view starts and ends, and how far it is.</param>
    /// <param name="ct">Cancels the rebuild (the live views stay as they were).</param>
    /// <param name="parallelism">How many views fold events, and how many tables are written, at once.</param>
    public static Task RebuildAsync(this IDocumentStore store, string? view, IProgress<Progress> progress,
        CancellationToken ct = default, int parallelism = 4) =>
        store.RebuildAsync(view, progress, new Rebuilding.RebuildOptions(Math.Max(1, parallelism), Coordinate: false, TimeSpan.Zero), ct);

    /// <summary>
    /// Rebuilds one view by name (<paramref name="view"/>), or every view when it is null, beside the live ones, while
    /// a daemon keeps the async views: each async view switches in at the daemon's own position, once the daemon has
    /// reached the rebuild's (within <paramref name="daemonWait"/>), and the daemon goes on writing the new view from there.
    /// </summary>
    /// <param name="store">The store whose events are replayed.</param>
    /// <param name="view">A name from <see cref="All"/>, or null for all.</param>
    /// <param name="progress">Told when each view starts and ends, and how far it is.</param>
    /// <param name="daemonWait">How long to wait for the daemon to reach the rebuild's position before giving up.</param>
    /// <param name="ct">Cancels the rebuild (the live views stay as they were).</param>
    public static Task RebuildBesideDaemonAsync(this IDocumentStore store, string? view, IProgress<Progress> progress, TimeSpan daemonWait,
        CancellationToken ct = default) =>
        store.RebuildAsync(view, progress, new Rebuilding.RebuildOptions(4, Coordinate: true, daemonWait), ct);

    internal static async Task RebuildAsync(this IDocumentStore store, string? view, IProgress<Progress> progress, Rebuilding.RebuildOptions options,
        CancellationToken ct)
    {
        var views = All.Where(v => view is null || v.Name == view).ToList();
        if (views.Count == 0)
            throw new ArgumentException($"Unknown view '{view}'. Views: {string.Join(", ", All.Select(v => v.Name))}.", nameof(view));
        await new Rebuilding.FastRebuild(store, progress, options).RunAsync(views, ct);
    }

    /// <summary>Which version of a view is live.</summary>
    /// <param name="View">The view's name.</param>
    /// <param name="Number">How many times it was rebuilt and switched in; 0 for the view its writes built.</param>
    /// <param name="RebuiltAt">When the live version was switched in; null for generation 0.</param>
    /// <param name="Position">The last event the live version had applied when it was switched in.</param>
    public sealed record Generation(string View, int Number, DateTimeOffset? RebuiltAt, long Position);

    /// <summary>Which version of every view is live.</summary>
    public static Task<IReadOnlyList<Generation>> GenerationsAsync(this IDocumentStore store, CancellationToken ct = default) =>
        Rebuilding.ViewGenerations.ReadAsync(store, ct);

    /// <summary>The documents (tables) a view is made of.</summary>
    internal static IReadOnlyList<Type> DocumentsOf(View view) => view.Owns ?? [Documents[view.Name]];

    private static readonly IReadOnlyDictionary<string, Type> Documents = new Dictionary<string, Type>
    {
        ["conversations"] = typeof(ConversationView),
        ["threads"] = typeof(MessageState),
        ["rooms"] = typeof(RoomView),
        ["questions"] = typeof(QuestionView),
        ["events"] = typeof(EventView),
        ["audit"] = typeof(RequestAuditEntry),
        ["room-audit"] = typeof(RoomAuditEntry),
        ["profiles"] = typeof(UserProfile),
        ["conversation-state"] = typeof(Conversation),
        ["request-reach"] = typeof(Backchannel.Domain.Requests.RequestReach),
        ["room-state"] = typeof(Room),
        ["participants"] = typeof(Participant),
        ["question-state"] = typeof(Question),
        ["upvotes"] = typeof(Upvote),
        ["event-state"] = typeof(PlannedEvent),
        ["erasures"] = typeof(Backchannel.Domain.Privacy.Erasure),
        ["suspensions"] = typeof(Backchannel.Domain.Safety.Suspension),
        ["report-cases"] = typeof(Backchannel.Domain.Safety.ReportCase),
        ["reports-filed"] = typeof(Backchannel.Domain.Safety.ReportsFiled),
        ["moderation-audit"] = typeof(Safety.ModerationAuditEntry),
    };
}

/// <summary>Reports progress as it happens, one report at a time (views rebuilt side by side report from several threads), before the rebuild returns.</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly Lock _one = new();

    /// <summary>Reports <paramref name="value"/> now, on the caller's thread, one report at a time.</summary>
    public void Report(T value)
    {
        lock (_one) report(value);
    }
}
