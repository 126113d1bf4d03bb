using Backchannel.Domain.Common;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;

namespace Backchannel.Host.Operations;

/// <summary>
/// Says in PostgreSQL that a daemon runs on this database and schema: every node that runs async views (<c>Solo</c> or
/// <c>Distributed</c>) holds a shared advisory lock on a connection of its own for as long as it runs, and
/// <c>rebuild</c> asks for the same lock exclusively, which it cannot get while any node holds it. PostgreSQL drops a
/// session's locks when the session ends, so a killed node never leaves a stale mark, unlike a row that would have to
/// expire.
/// </summary>
public sealed class DaemonPresence(IBackchannelStore store, ILogger<DaemonPresence> logger) : BackgroundService
{
    /// <summary>How soon a node whose connection dropped (a database restart) takes the lock again.</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    /// <summary>The advisory lock's key for the store's schema: each schema its own, stable across processes.</summary>
    public static long LockKey(string schema)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"backchannel-daemon:{schema}"));
        return BitConverter.ToInt64(hash, 0);
    }

    /// <summary>Whether a node's daemon is running on <paramref name="store"/>'s database and schema now.</summary>
    public static async Task<bool> IsRunningAsync(IDocumentStore store, CancellationToken ct = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(ct);
        // Taken and given back at once: a pooled connection would otherwise keep the lock until its next use.
        await using var command = new NpgsqlCommand(
            "select case when pg_try_advisory_lock(@key) then not pg_advisory_unlock(@key) else true end", connection);
        command.Parameters.AddWithValue("key", LockKey(store.Options.DatabaseSchemaName));
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = store.Storage.Database.CreateConnection();
                await connection.OpenAsync(stoppingToken);
                await using (var take = new NpgsqlCommand("select pg_advisory_lock_shared(@key)", connection))
                {
                    take.Parameters.AddWithValue("key", LockKey(store.Options.DatabaseSchemaName));
                    await take.ExecuteNonQueryAsync(stoppingToken);
                }
                await using var alive = new NpgsqlCommand("select 1", connection);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await Task.Delay(Recheck, stoppingToken);
                    await alive.ExecuteScalarAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Lost the connection that marks this node's daemon; taking it again");
                await Task.Delay(Recheck, stoppingToken);
            }
        }
    }
}
