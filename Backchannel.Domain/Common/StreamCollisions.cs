namespace Backchannel.Domain.Common;

/// <summary>
/// Recognises the race of two transactions starting the same stream: a conflict to retry, never a fault. A stream that
/// does not exist yet has no row for <see cref="WriteSet"/> or <see cref="StreamDecision"/> to lock, so two commands
/// creating it at once both pass their check and one loses the insert; Wolverine runs that one again on fresh state.
/// </summary>
public static class StreamCollisions
{
    /// <summary>True when <paramref name="exception"/>, or one it wraps, is the loss of a race to start a stream.</summary>
    public static bool IsStreamCreatedConcurrently(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Marten.Exceptions.ExistingStreamIdCollisionException) return true;
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, ConstraintName: "pkey_mt_streams_id" }) return true;
        }
        return false;
    }
}
