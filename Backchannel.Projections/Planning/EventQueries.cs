using Backchannel.Domain.Common;
using Backchannel.Domain.People;
using Marten;
using Marten.Linq.MatchesSql;

namespace Backchannel.Projections.Planning;

/// <summary>An event in someone's list of upcoming events.</summary>
public sealed record UpcomingEvent(
    string EventId,
    string Title,
    string Host,
    IReadOnlyList<string> CoHosts,
    DateTimeOffset StartsAt,
    bool Cancelled,
    bool YouHost,
    // The planning conversation, for its hosts only.
    string? PlanningConversationId,
    string? RoomId);

/// <summary>Reading scheduled events: the upcoming ones a user follows, and one event.</summary>
public static class EventQueries
{
    /// <summary>How many events one read returns unless the caller asks otherwise.</summary>
    public const int DefaultLimit = 50;

    /// <summary>
    /// Events not cancelled that start from <paramref name="now"/> on or are live now, hosted by the user or by someone
    /// they follow, soonest first.
    /// </summary>
    public static async Task<IReadOnlyList<UpcomingEvent>> UpcomingEventsAsync(this IQuerySession session, string userId,
        DateTimeOffset now, int limit = DefaultLimit, CancellationToken ct = default)
    {
        var me = (await session.LoadProfilesAsync([userId], ct))[userId];
        var hosts = me.Following.Add(userId).ToArray();
        var events = await session.Query<EventView>()
            .Where(e => !e.Cancelled && (e.StartsAt >= now || e.RoomId != null) && e.Hosts.Any(h => hosts.Contains(h)))
            .OrderBy(e => e.StartsAt).Take(limit).ToListAsync(ct);
        return events.Select(e => Upcoming(e, userId)).ToList();
    }

    /// <summary>
    /// A page of <see cref="UpcomingEventsAsync"/> after <paramref name="after"/> (a cursor of an earlier page, or null
    /// for the first), soonest first and, among events that start together, by id, so pages neither repeat nor skip.
    /// </summary>
    public static async Task<Page<UpcomingEvent>> UpcomingEventsPageAsync(this IQuerySession session, string userId,
        DateTimeOffset now, string? after, int limit = Paging.DefaultLimit, CancellationToken ct = default)
    {
        var me = (await session.LoadProfilesAsync([userId], ct))[userId];
        var hosts = me.Following.Add(userId).ToArray();
        var query = session.Query<EventView>()
            .Where(e => !e.Cancelled && (e.StartsAt >= now || e.RoomId != null) && e.Hosts.Any(h => hosts.Contains(h)));
        if (after is not null)
        {
            var position = Paging.Position(UpcomingList, after, 2);
            var startsAt = Paging.Time(position[0]);
            if (!Rules.IsId(position[1])) throw Paging.BadCursor();
            query = query.Where(e => e.MatchesSql($"({StartsAt}, d.id) > (CAST(? AS timestamptz), ?)", Paging.Time(startsAt), position[1]));
        }
        var events = await query.OrderBySql($"{StartsAt}, d.id").Take(limit + 1).ToListAsync(ct);
        var page = Paging.Of(events, limit, e => Paging.Cursor(UpcomingList, Paging.Time(e.StartsAt), e.Id));
        return new Page<UpcomingEvent>(page.Items.Select(e => Upcoming(e, userId)).ToList(), page.Next);
    }

    private const string UpcomingList = "upcomingEvents";

    // The cursor's time and the document's are both read from text, so both round alike: a duplicated column keeps
    // the time as the driver truncated it, and a tie could fall on either side of the cursor.
    private const string StartsAt = "CAST(d.data ->> 'startsAt' AS timestamptz)";

    /// <summary>One event, for anyone (events are public); null when there is no such event.</summary>
    public static async Task<UpcomingEvent?> EventAsync(this IQuerySession session, string viewer, string eventId, CancellationToken ct = default) =>
        await session.LoadAsync<EventView>(eventId, ct) is { } view ? Upcoming(view, viewer) : null;

    private static UpcomingEvent Upcoming(EventView e, string viewer)
    {
        var youHost = e.Hosts.Contains(viewer);
        return new UpcomingEvent(e.Id, e.Title, e.Host, e.CoHosts, e.StartsAt, e.Cancelled, youHost, youHost ? e.PlanningConversationId : null, e.RoomId);
    }
}
