using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Marten.Events.Aggregation;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// Builds <see cref="ConversationView"/> from a conversation's stream (inline: members read their own writes). Its
/// static methods are also the fold of callers that follow a conversation event by event (<see cref="Fold"/>).
/// </summary>
public partial class ConversationViewProjection : SingleStreamProjection<ConversationView, string>
{
    /// <summary>
    /// <paramref name="view"/> after one more event of its stream, by the same Create and Apply methods Marten uses;
    /// an event this view ignores leaves it as it was.
    /// </summary>
    public static ConversationView? Fold(ConversationView? view, object @event)
    {
        if (@event is ConversationStarted started) return Create(started);
        if (view is not null && Appliers.TryGetValue(@event.GetType(), out var apply)) apply(@event, view);
        return view;
    }

    /// <summary>Every <c>Apply(event, view)</c> of this class by event type: a new Apply is folded without a second list.</summary>
    private static readonly IReadOnlyDictionary<Type, Action<object, ConversationView>> Appliers =
        typeof(ConversationViewProjection).GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(m => m.Name == nameof(Apply) && m.GetParameters() is [_, { ParameterType: var target }] && target == typeof(ConversationView))
            .ToDictionary(m => m.GetParameters()[0].ParameterType,
                m => (Action<object, ConversationView>)((e, view) => m.Invoke(null, [e, view])));

    public static ConversationView Create(ConversationStarted e) => new()
    {
        Id = e.ConversationId,
        Kind = e.Kind,
        CreatedBy = e.StartedBy,
        RoomId = e.RoomId,
        EventId = e.EventId,
        StartedAt = e.At,
        LastActivityAt = e.At,
        Members = [new MemberView { UserId = e.StartedBy, Status = MemberStatus.Active, Since = e.At }],
        InboxOf = [e.StartedBy],
    };

    public static void Apply(RequestSent e, ConversationView view) => Join(view, e.To, MemberStatus.Pending, e.From, e.At);
    public static void Apply(RequestAdmittedAutomatically e, ConversationView view) => Join(view, e.To, MemberStatus.Active, e.From, e.At);
    public static void Apply(RequestSuppressed e, ConversationView view) => Join(view, e.To, MemberStatus.Suppressed, e.From, e.At);
    public static void Apply(RequestAccepted e, ConversationView view) => Move(view, e.To, MemberStatus.Active, e.At);
    public static void Apply(RequestDeclined e, ConversationView view) => Move(view, e.To, MemberStatus.Declined, e.At);
    public static void Apply(RequesterBlocked e, ConversationView view) => Move(view, e.To, MemberStatus.BlockedRequester, e.At);
    public static void Apply(RequestReported e, ConversationView view) => Move(view, e.To, MemberStatus.Reported, e.At);
    public static void Apply(MemberLeft e, ConversationView view) => Move(view, e.UserId, MemberStatus.Left, e.At);
    public static void Apply(MemberRemoved e, ConversationView view) => Move(view, e.UserId, MemberStatus.Removed, e.At);

    public static void Apply(MemberJoinedByRole e, ConversationView view) => Join(view, e.UserId, MemberStatus.Active, null, e.At);
    public static void Apply(MemberLeftByRole e, ConversationView view) => Move(view, e.UserId, MemberStatus.Left, e.At);

    public static void Apply(MessageSent e, ConversationView view) =>
        Add(view, MessagePreview.Of(e.MessageId, e.Sequence, e.Author, MessageKind.Message, e.Text, e.At));

    public static void Apply(ThanksSent e, ConversationView view) =>
        Add(view, MessagePreview.Of(e.MessageId, e.Sequence, e.Author, MessageKind.Thanks, e.Text, e.At));

    public static void Apply(MessageEdited e, ConversationView view) =>
        Preview(view, e.MessageId, p => MessagePreview.Of(p.MessageId, p.Sequence, p.Author, p.Kind, e.Text, p.At));

    public static void Apply(MessageDeleted e, ConversationView view) =>
        Preview(view, e.MessageId, p => p with { Text = null, Deleted = true });

    public static void Apply(MessagesRead e, ConversationView view)
    {
        var reader = view.MemberOf(e.UserId)!;
        reader.ReadUpToSequence = e.UpToSequence;
        reader.ReadUpToMessageId = e.UpToMessageId;
        reader.ReadAt = e.At;
    }

    public static void Apply(ConversationMuted e, ConversationView view) => view.MemberOf(e.UserId)!.Muted = true;
    public static void Apply(ConversationUnmuted e, ConversationView view) => view.MemberOf(e.UserId)!.Muted = false;

    public static void Apply(GroupRenamed e, ConversationView view)
    {
        view.Title = e.Title;
        view.LastActivityAt = e.At;
    }

    private static void Add(ConversationView view, MessagePreview preview)
    {
        view.OpeningMessage ??= preview;
        view.LastMessage = preview;
        view.LastSequence = preview.Sequence;
        view.LastActivityAt = preview.At;
        var author = view.MemberOf(preview.Author)!;
        author.ReadUpToSequence = preview.Sequence;
        author.ReadUpToMessageId = preview.MessageId;
    }

    private static void Join(ConversationView view, string userId, MemberStatus status, string? invitedBy, DateTimeOffset at)
    {
        view.Members.RemoveAll(m => m.UserId == userId);
        view.Members.Add(new MemberView
        {
            UserId = userId, Status = status, InvitedBy = invitedBy, Since = at,
            ReadUpToSequence = view.LastSequence,
        });
        Index(view);
    }

    private static void Move(ConversationView view, string userId, MemberStatus status, DateTimeOffset at)
    {
        var member = view.MemberOf(userId)!;
        member.Status = status;
        member.Since = at;
        Index(view);
    }

    private static void Index(ConversationView view)
    {
        view.InboxOf = view.Members.Where(m => m.Status == MemberStatus.Active).Select(m => m.UserId).ToList();
        view.RequestsOf = view.Members.Where(m => m.Status == MemberStatus.Pending).Select(m => m.UserId).ToList();
    }

    private static void Preview(ConversationView view, string messageId, Func<MessagePreview, MessagePreview> change)
    {
        if (view.OpeningMessage?.MessageId == messageId) view.OpeningMessage = change(view.OpeningMessage);
        if (view.LastMessage?.MessageId == messageId) view.LastMessage = change(view.LastMessage);
    }
}
