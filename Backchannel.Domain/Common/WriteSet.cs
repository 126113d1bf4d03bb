using Marten;

namespace Backchannel.Domain.Common;

/// <summary>
/// An event that declares the stream it belongs to: every event of Backchannel is one, through the interface of its
/// stream's kind (<c>IConversationEvent</c>, <c>IUserEvent</c>, <c>IParticipantEvent</c>, ...) or, where a property's
/// name would mislead, an explicit implementation beside the record. Routing (<see cref="WriteSet"/>), the documents
/// keyed by stream and the push feed read this one declaration. The key is implemented explicitly, so it is never part
/// of an event's stored JSON.
/// </summary>
public interface IStreamEvent
{
    /// <summary>The key of the stream the event is appended to.</summary>
    string StreamId { get; }

    /// <summary>The stream <paramref name="e"/> belongs to; an object that is not such an event is a programming error.</summary>
    static string StreamOf(object e) => e is IStreamEvent declared
        ? declared.StreamId
        : throw new InvalidOperationException($"{e.GetType().Name} does not declare its stream (IStreamEvent).");
}

/// <summary>
/// The streams one command writes to, each locked for the command's transaction before its state is read, and each
/// decided event appended to the stream it declares. Decisions that touch several streams (a promotion writes the
/// participant, the question and the stage conversation) stay pure: they return one list of events.
/// </summary>
/// <remarks>
/// Handlers lock in one order (room, participants, question, upvote, conversation) so two commands never wait on
/// each other's locks. A stream that does not exist yet has no row to lock: two commands creating it at once collide,
/// and the loser is retried on fresh state (<see cref="StreamCollisions"/>).
/// </remarks>
internal sealed class WriteSet(IDocumentSession session)
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

    /// <summary>
    /// Appends each event to the stream it declares (<see cref="IStreamEvent"/>); a stream the command did not lock is
    /// a programming error.
    /// </summary>
    public IReadOnlyList<object> Append(IReadOnlyList<object> events)
    {
        foreach (var e in events)
        {
            var streamId = IStreamEvent.StreamOf(e);
            if (!_appendTo.TryGetValue(streamId, out var append))
                throw new InvalidOperationException($"{e.GetType().Name} belongs to stream '{streamId}', which this command did not lock.");
            append(e);
        }
        return events;
    }
}
