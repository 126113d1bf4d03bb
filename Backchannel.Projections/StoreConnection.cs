using System.Data.Common;
using Npgsql;

namespace Backchannel.Projections;

/// <summary>
/// How Backchannel's own store connects. Every command runs the same few statements (append, the inline views' upserts,
/// the pipeline's batch reads), so Npgsql's automatic preparation lets PostgreSQL skip parsing and planning them, and
/// keeps the plans PL/pgSQL caches for the append function across pooled uses of a connection: docs/benchmarks.md has
/// what it saves per message. An operator who sets either key in the connection string keeps their value (0 turns it
/// off). The app's own store, when shared, is never changed.
/// </summary>
internal static class StoreConnection
{
    /// <summary>Statements prepared per physical connection, least recently used evicted beyond it.</summary>
    internal const int PreparedStatements = 64;

    public static string Tuned(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (given.Keys.Cast<string>().Any(key => Normalized(key) is "maxautoprepare")) return connectionString;
        return new NpgsqlConnectionStringBuilder(connectionString) { MaxAutoPrepare = PreparedStatements }.ConnectionString;
    }

    private static string Normalized(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
}
