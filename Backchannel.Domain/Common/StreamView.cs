using Marten;
using Marten.Services.BatchQuerying;

namespace Backchannel.Domain.Common;

/// <summary>
/// An inline view kept per stream (keyed by the stream's id) that the commit updates whenever a batch appends to that
/// stream. The pipeline reads it in the round trip that locks the stream, into the session's identity map, so the
/// commit's projection finds it there instead of reading it again on its own round trip.
/// </summary>
internal abstract class StreamView
{
    /// <summary>The decision state whose streams this view is kept for.</summary>
    public abstract Type State { get; }

    /// <summary>Queues the views of <paramref name="streamIds"/> on the batch's query, into the session's identity map.</summary>
    public abstract Task Load(IDocumentSession session, IBatchedQuery query, string[] streamIds);

    public static StreamView Of<TState, TView>() where TState : class where TView : class => new Kept<TState, TView>();

    private sealed class Kept<TState, TView> : StreamView where TState : class where TView : class
    {
        public override Type State => typeof(TState);

        public override Task Load(IDocumentSession session, IBatchedQuery query, string[] streamIds)
        {
            session.UseIdentityMapFor<TView>();
            return query.LoadMany<TView>().ById(streamIds);
        }
    }
}
