namespace Backchannel.Domain.Common;

/// <summary>How many of one kind of command a user may send in a sliding window.</summary>
internal sealed record RateLimit(string Rule, int Limit, TimeSpan Window);

/// <summary>
/// What a rate limit says of one more command: refused (with when to retry), or allowed, with how many remain in the
/// window after it and whether that is few enough to warn about.
/// </summary>
public sealed record Throttle(string Rule, bool Refused, int Remaining, TimeSpan RetryAfter, bool NearLimit);

/// <summary>
/// What became of a command under a rate limit: how close it came to the limit, or, refused, when to retry. Null when
/// no limit applied (a repeat that changed nothing, a member nobody is waiting on).
/// </summary>
public sealed record Paced(Throttle? Throttle);

/// <summary>
/// The one sliding-window rule every rate limit uses. It is pure: the caller passes the times of the commands already
/// counted, read under the lock that serialises that user's commands of this kind, so the count is exact.
/// </summary>
internal static class RateWindow
{
    /// <summary>
    /// Adding a rate limit to a command: read the times of that user's earlier commands of the kind (from the state
    /// the decision loads under its stream lock), call <see cref="Check"/>, and when it refuses, record a suppression
    /// event with <see cref="Throttle.Rule"/> instead of the command's events.
    /// </summary>
    /// <remarks>
    /// A command may count for several (<paramref name="cost"/>: an invitation counts each stranger it reaches); it is
    /// refused whole unless all of it fits, and told to retry when enough of the earlier ones have left the window.
    /// </remarks>
    public static Throttle Check(RateLimit limit, IEnumerable<DateTimeOffset> earlier, DateTimeOffset now, double warnAtShare, int cost = 1)
    {
        var inWindow = earlier.Where(t => t > now - limit.Window).Order().ToList();
        var used = inWindow.Count + cost;
        if (used > limit.Limit)
        {
            var mustLeave = used - limit.Limit;
            var slotFreesAt = mustLeave <= inWindow.Count ? inWindow[mustLeave - 1] + limit.Window : now + limit.Window;
            return new Throttle(limit.Rule, Refused: true, 0, slotFreesAt - now, NearLimit: true);
        }
        return new Throttle(limit.Rule, Refused: false, limit.Limit - used, TimeSpan.Zero, NearLimit: used >= limit.Limit * warnAtShare);
    }
}

/// <summary>The rate limits, bound from <c>Backchannel:RateLimits</c>.</summary>
public sealed record RateLimitSettings
{
    /// <summary>The rule named by a refusal or warning of the requests limit (<see cref="RequestsPerHour"/>).</summary>
    public const string RequestsPerHourRule = "rate_limit_requests_per_hour";
    /// <summary>The rule named when a pending request's messages exceed <see cref="PendingMessagesPerMinute"/>.</summary>
    public const string PendingMessagesPerMinuteRule = "rate_limit_pending_messages_per_minute";
    /// <summary>The rule named when one person asks more than <see cref="QuestionsPerMinutePerRoom"/> in a room.</summary>
    public const string QuestionsPerMinuteRule = "rate_limit_questions_per_minute";
    /// <summary>The rule named when one person starts more than <see cref="RoomsPerHour"/>.</summary>
    public const string RoomsPerHourRule = "rate_limit_rooms_per_hour";
    /// <summary>The rule named when one person schedules more than <see cref="EventsPerHour"/>.</summary>
    public const string EventsPerHourRule = "rate_limit_events_per_hour";
    /// <summary>The rule code of the reporting limit.</summary>
    public const string ReportsPerHourRule = "rate_limit_reports_per_hour";

    /// <summary>
    /// Requests a user may make in an hour: each stranger reached (requested, or suppressed by a block) by a new
    /// conversation, a thank-you note or an invitation to a group, and each conversation started that reached none.
    /// </summary>
    public int RequestsPerHour { get; init; } = 20;

    /// <summary>The window of <see cref="RequestsPerHour"/>, fixed: what counts towards it is kept for this long.</summary>
    public static readonly TimeSpan RequestsWindow = TimeSpan.FromHours(1);

    /// <summary>
    /// Messages (opening ones included) a user may send in a minute across all their requests nobody has accepted yet:
    /// a flood spread over many strangers is still a flood. The cap per request (<c>PendingRequestMessageCap</c>)
    /// holds besides.
    /// </summary>
    public int PendingMessagesPerMinute { get; init; } = 5;

    /// <summary>Questions a listener may ask in a minute in one room.</summary>
    public int QuestionsPerMinutePerRoom { get; init; } = 3;

    /// <summary>Rooms a user may start in an hour.</summary>
    public int RoomsPerHour { get; init; } = 10;

    /// <summary>Events a user may schedule in an hour.</summary>
    public int EventsPerHour { get; init; } = 10;

    /// <summary>Reports (of requests and of messages) a user may file in an hour.</summary>
    public int ReportsPerHour { get; init; } = 10;

    /// <summary>The window of <see cref="ReportsPerHour"/>, fixed: what counts towards it is kept for this long.</summary>
    public static readonly TimeSpan ReportsWindow = TimeSpan.FromHours(1);

    /// <summary>The share of a limit from which responses carry a warning (0.8: the last fifth).</summary>
    public double WarnAtShare { get; init; } = 0.8;

    internal RateLimit RequestsStarted => new(RequestsPerHourRule, RequestsPerHour, RequestsWindow);
    internal RateLimit PendingMessages => new(PendingMessagesPerMinuteRule, PendingMessagesPerMinute, TimeSpan.FromMinutes(1));
    internal RateLimit Questions => new(QuestionsPerMinuteRule, QuestionsPerMinutePerRoom, TimeSpan.FromMinutes(1));
    internal RateLimit RoomsStarted => new(RoomsPerHourRule, RoomsPerHour, TimeSpan.FromHours(1));
    internal RateLimit EventsScheduled => new(EventsPerHourRule, EventsPerHour, TimeSpan.FromHours(1));
    /// <summary>The limit on reports, by <see cref="ReportsPerHour"/>.</summary>
    internal RateLimit Reports => new(ReportsPerHourRule, ReportsPerHour, ReportsWindow);
}

/// <summary>The lock that serialises one user's commands of one rate-limited kind, so their counts are exact.</summary>
internal static class RateLimitLock
{
    /// <summary>
    /// Takes a transaction-scoped advisory lock on (<paramref name="kind"/>, <paramref name="userId"/>): released at
    /// commit or rollback, held by nothing else. A stream row lock cannot serve here, since a user's first command may
    /// come before they have any stream. Call it after the session's transaction has begun (any exclusive fetch does).
    /// </summary>
    public static async Task AcquireAsync(Marten.IDocumentSession session, string kind, string userId, CancellationToken ct)
    {
        var connection = session.Connection ?? throw new InvalidOperationException("The rate-limit lock needs the session's open transaction.");
        await using var command = connection.CreateCommand();
        command.CommandText = "select pg_advisory_xact_lock(hashtextextended(@key, 0))";
        var key = command.CreateParameter();
        key.ParameterName = "key";
        key.Value = Key(kind, userId);
        command.Parameters.Add(key);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The lock's key: the same for a lone command and for the command pipeline's batch.</summary>
    public static string Key(string kind, string userId) => $"backchannel:{kind}:{userId}";

    /// <summary>
    /// Takes several of these locks in one round trip, in the order of <paramref name="keys"/> (the caller sorts them,
    /// so two batches never wait on each other's).
    /// </summary>
    public static async Task AcquireAllAsync(Marten.IDocumentSession session, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var connection = session.Connection ?? throw new InvalidOperationException("The rate-limit lock needs the session's open transaction.");
        await using var command = connection.CreateCommand();
        // One row per key, in the array's order: the function scan of unnest yields them in that order.
        command.CommandText = "select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(@keys) as t(k)";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "keys";
        parameter.Value = keys.ToArray();
        command.Parameters.Add(parameter);
        await command.ExecuteNonQueryAsync(ct);
    }
}
