using Marten;

namespace Backchannel.Domain.Common;

/// <summary>
/// The streams one command writes to, each locked for the command's transaction before its state is read, and a
/// route that sends each decided event to its stream. Decisions that touch several streams (a promotion writes the
/// participant, the question and the stage conversation) stay pure: they return one list of events.
/// </summary>
/// <remarks>
/// Handlers lock in one order (room, participants, question, upvote, conversation) so two commands never wait on
/// each other's locks. A stream that does not exist yet has no row to lock: two commands creating it at once collide,
/// and the loser is retried on fresh state (see the retry policy in the registration).
/// </remarks>
internal sealed class WriteSet(IDocumentSession session, Func<object, string> streamOf)
{
    private readonly Dictionary<string, Action<object>> _appendTo = [];

    /// <summary>
    /// Locks stream <paramref name="streamId"/> for this command and returns its state; null when the stream does not
    /// exist yet, and then the events routed to it start it. A stream of another kind reads as null too, and an event
    /// routed to it is refused (<see cref="StreamKinds"/>), so a client's id can never write into something else.
    /// </summary>
    public async Task<TState?> LockAsync<TState>(string streamId, CancellationToken cancellation, string? field = null) where TState : class
    {
        var stream = await session.Events.FetchForExclusiveWriting<TState>(streamId, cancellation);
        _appendTo[streamId] = stream.IsOfAnotherKind() ? _ => throw StreamKinds.IdInUse(field) : e => stream.AppendOne(e);
        return stream.Aggregate;
    }

    /// <summary>Appends each event to the stream it belongs to; a stream the command did not lock is a programming error.</summary>
    public IReadOnlyList<object> Append(IReadOnlyList<object> events)
    {
        foreach (var e in events)
        {
            var streamId = streamOf(e);
            if (!_appendTo.TryGetValue(streamId, out var append))
                throw new InvalidOperationException($"{e.GetType().Name} belongs to stream '{streamId}', which this command did not lock.");
            append(e);
        }
        return events;
    }
}
