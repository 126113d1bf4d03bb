using System.Data.Common;
using Npgsql;

namespace Backchannel.Projections;

/// <summary>
/// How Backchannel's own store connects. Every command runs the same few statements (append, the inline views' upserts,
/// the pipeline's batch reads), so Npgsql's automatic preparation lets PostgreSQL skip parsing them, and keeps what
/// PL/pgSQL has parsed for the append function across pooled uses of a connection: docs/benchmarks.md has
/// what it saves per message. Each execution is still planned for its own values (<c>plan_cache_mode</c>
/// <c>force_custom_plan</c>): a generic plan, which PostgreSQL would otherwise settle on after a few runs, reads a thread
/// by walking the sequence index of every conversation's messages, and grows with the store. An operator who sets
/// <c>Max Auto Prepare</c> in the connection string keeps the string as given (0 turns preparation off). The app's own
/// store, when shared, is never changed.
/// </summary>
internal static class StoreConnection
{
    /// <summary>Statements prepared per physical connection, least recently used evicted beyond it.</summary>
    internal const int PreparedStatements = 64;

    /// <summary>Plans every execution of a prepared statement for its parameters' values.</summary>
    internal const string CustomPlans = "-c plan_cache_mode=force_custom_plan";

    public static string Tuned(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(key => Normalized(key) is "maxautoprepare")) return connectionString;
        var tuned = new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = PreparedStatements };
        tuned.Options = $"{tuned.Options} {CustomPlans}".Trim();
        return tuned.ConnectionString;
    }

    private static string Normalized(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
}
