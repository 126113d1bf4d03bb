namespace Backchannel.Domain.Privacy;

/// <summary>
/// Where a user's erasure stands (inline snapshot of the erasure stream): requested, and when it completed. A user with
/// such a document is erased for good: their handle signs in no more, whether or not the masking has finished.
/// </summary>
public sealed record Erasure(string Id, string UserId, string RequestedBy, bool ByOperator, DateTimeOffset RequestedAt, DateTimeOffset? ErasedAt)
{
    /// <summary>The stream's version.</summary>
    public long Version { get; init; }

    /// <summary>Begins the erasure's state.</summary>
    public static Erasure Create(ErasureRequested e) =>
        new(ErasureStreams.Id(e.UserId), e.UserId, e.RequestedBy, e.ByOperator, e.At, null);

    /// <summary>A further request while one is under way changes nothing of the first.</summary>
    public Erasure Apply(ErasureRequested _) => this;

    /// <summary>The masking finished.</summary>
    public Erasure Apply(UserErased e) => this with { ErasedAt = ErasedAt ?? e.At };
}

/// <summary>Where a user's erasure is recorded.</summary>
public static class ErasureStreams
{
    /// <summary>
    /// <c>erasure/{user}</c>: a stream of its own, not the user's stream, so that nothing the user's own decisions
    /// read changes, and the slash keeps it from ever naming a user or a client's id.
    /// </summary>
    public static string Id(string userId) => $"erasure/{userId}";
}
