using Backchannel.Domain.Conversations;
using Backchannel.Domain.Safety;

namespace Backchannel.Projections.Rebuilding;

/// <summary>
/// A rebuild's own fold of the view with one document per message (what threads show and decisions read), calling the
/// same <c>Create</c> and <c>Apply</c> methods its Marten projection calls, without Marten's slicing: that is handed one
/// event at a time (so that it sees a page in global order) and spent most of the rebuild's time on the bookkeeping
/// around each.
/// <para>
/// It claims only the two cases whose outcome is plain: an event that creates a document no one holds yet, and an
/// event that changes one that exists. Anything else (an event for a message never created, a second creation of one)
/// it hands to the Marten projection itself, for that one event, so that its answer stays the projection's.
/// </para>
/// </summary>
internal abstract class DirectFold
{
    /// <summary>The document it folds.</summary>
    public abstract Type Document { get; }

    /// <summary>The events that create a document.</summary>
    public abstract IReadOnlySet<Type> Creates { get; }

    /// <summary>The events that change one.</summary>
    public abstract IReadOnlySet<Type> Changes { get; }

    /// <summary>The document's key for <paramref name="e"/>, as the projection's identity rules give it.</summary>
    public virtual string KeyOf(object e) => MessageState.KeyOf((IMessageEvent)e);

    /// <summary>A new document from an event of <see cref="Creates"/>.</summary>
    public abstract object Create(object e);

    /// <summary>The document after an event of <see cref="Changes"/> (the same instance, changed, or a new one).</summary>
    public abstract object Apply(object document, object e);

    /// <summary>The direct fold of the view whose only document is <paramref name="document"/>, if it has one.</summary>
    public static DirectFold? For(Type document) =>
        document == typeof(MessageState) ? new MessageStates() : null;

    /// <summary>Whether it folds exactly the events <paramref name="included"/> (the projection's): otherwise the projection folds alone.</summary>
    public bool Covers(IReadOnlySet<Type>? included) =>
        included is not null && Creates.Union(Changes).ToHashSet().SetEquals(included) && !Creates.Overlaps(Changes);

    /// <summary><see cref="MessageState"/>'s own Create and Apply methods (<see cref="MessageStateProjection"/>).</summary>
    private sealed class MessageStates : DirectFold
    {
        public override Type Document => typeof(MessageState);

        public override IReadOnlySet<Type> Creates { get; } = new HashSet<Type> { typeof(MessageSent), typeof(ThanksSent) };

        public override IReadOnlySet<Type> Changes { get; } = new HashSet<Type>
        {
            typeof(MessageEdited), typeof(MessageDeleted), typeof(ReactionAdded), typeof(ReactionWithdrawn), typeof(MessageReported),
            typeof(MessageRemovedByModeration),
        };

        public override object Create(object e) => e switch
        {
            MessageSent sent => MessageState.Create(sent),
            ThanksSent thanks => MessageState.Create(thanks),
            _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Not an event that creates a message state."),
        };

        public override object Apply(object document, object e)
        {
            var state = (MessageState)document;
            return e switch
            {
                MessageEdited edited => state.Apply(edited),
                MessageDeleted deleted => state.Apply(deleted),
                ReactionAdded added => state.Apply(added),
                ReactionWithdrawn withdrawn => state.Apply(withdrawn),
                MessageReported reported => state.Apply(reported),
                MessageRemovedByModeration removed => state.Apply(removed),
                _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Not an event that changes a message state."),
            };
        }
    }
}
