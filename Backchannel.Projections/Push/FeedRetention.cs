using JasperFx;
using Marten;
using Marten.Services;
using Npgsql;

namespace Backchannel.Projections.Push;

/// <summary>How far the feed has been pruned: every item at or below <see cref="PrunedThrough"/> may be gone.</summary>
public sealed class FeedRetentionMark
{
    /// <summary>The id of the one mark document.</summary>
    public const string TheMark = "feed";

    /// <summary>Always <see cref="TheMark"/>.</summary>
    public string Id { get; set; } = TheMark;
    /// <summary>The highest position that may have been pruned; zero before the first pruning.</summary>
    public long PrunedThrough { get; set; }
}

/// <summary>How long the feed keeps an item (<see cref="Backchannel.Domain.Common.BackchannelSettings.PushRetention"/>), by the clock its pruner reads.</summary>
internal sealed record FeedKeeping(TimeSpan Period, TimeProvider Clock)
{
    /// <summary>
    /// The time before which a rebuild leaves an item out: by the earlier of this clock and the database's, so that a
    /// rebuild run on a machine whose clock is fast leaves out nothing a pruner on the database's time would still keep.
    /// </summary>
    public DateTimeOffset KeepsFromAsOf(DateTimeOffset databaseNow)
    {
        var now = Clock.GetUtcNow();
        return (now < databaseNow ? now : databaseNow) - Period;
    }
}

/// <summary>
/// Keeps the feed bounded: items older than the retention period are deleted, always as a prefix by position, and
/// the mark remembers how far, so a client resuming from before it is told to reload its views instead of silently
/// missing items.
/// </summary>
internal static class FeedRetention
{
    /// <summary>
    /// Deletes the items of events that happened before <paramref name="olderThan"/>; returns the new mark. Safe to run
    /// on several nodes at once: the mark is written with an optimistic check, so a pruner that lost the race deletes
    /// nothing and the mark never moves back.
    /// </summary>
    public static async Task<long> PruneFeedAsync(this IDocumentStore store, DateTimeOffset olderThan, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession();
        var mark = await session.LoadAsync<FeedRetentionMark>(FeedRetentionMark.TheMark, ct) ?? new FeedRetentionMark();
        var through = await session.Query<FeedItem>().Where(f => f.At < olderThan)
            .OrderByDescending(f => f.Position).Select(f => f.Position).FirstOrDefaultAsync(ct);
        if (through <= mark.PrunedThrough) return mark.PrunedThrough;

        mark.PrunedThrough = through;
        session.DeleteWhere<FeedItem>(f => f.Position <= through);
        session.Store(mark);
        try
        {
            await session.SaveChangesAsync(ct);
            return mark.PrunedThrough;
        }
        catch (Exception e) when (e is ConcurrencyException or DocumentAlreadyExistsException)
        {
            await using var query = store.QuerySession();
            return await query.PrunedThroughAsync(ct);
        }
    }

    /// <summary>
    /// Moves the mark on to at least <paramref name="through"/> (a rebuild that left those items out), never back, in
    /// <paramref name="transaction"/>: the one that switches the rebuilt feed in, so that the old feed and its mark or
    /// the new feed and its mark are read, never the new feed with the old mark. That transaction holds the feed's
    /// table, which a pruner writes before its mark: no pruner moves the mark meanwhile.
    /// </summary>
    public static async Task<long> MarkPrunedThroughAsync(this IDocumentStore store, long through, NpgsqlTransaction transaction, CancellationToken ct = default)
    {
        await using var session = store.LightweightSession(SessionOptions.ForTransaction(transaction));
        var mark = await session.LoadAsync<FeedRetentionMark>(FeedRetentionMark.TheMark, ct) ?? new FeedRetentionMark();
        if (through <= mark.PrunedThrough) return mark.PrunedThrough;
        mark.PrunedThrough = through;
        session.Store(mark);
        await session.SaveChangesAsync(ct);
        return through;
    }

    /// <summary>How far the feed has been pruned (0: never).</summary>
    public static async Task<long> PrunedThroughAsync(this IQuerySession session, CancellationToken ct = default) =>
        (await session.LoadAsync<FeedRetentionMark>(FeedRetentionMark.TheMark, ct))?.PrunedThrough ?? 0;
}
