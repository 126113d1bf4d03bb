using System.Linq.Expressions;
using System.Reflection;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Safety;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Backchannel.Projections.Conversations;

/// <summary>
/// Builds <see cref="ConversationView"/> from a conversation's stream (inline: members read their own writes). The
/// same fold serves Marten, the push feed's audiences and time travel (<see cref="Fold"/>): each event is applied by
/// its <c>When</c> method, then stamped on the members who may see it (<see cref="ViewerRules.SeesEvent"/>).
/// </summary>
internal partial class ConversationViewProjection : SingleStreamProjection<ConversationView, string>
{
    public override ConversationView? Evolve(ConversationView? snapshot, string id, IEvent e) => Fold(snapshot, e);

    /// <summary>
    /// <paramref name="view"/> after one more event of its stream; an event this view ignores leaves it as it was,
    /// apart from its version.
    /// </summary>
    public static ConversationView? Fold(ConversationView? view, IEvent e)
    {
        if (e.Data is ConversationStarted started) view = Start(started);
        else if (view is not null && Whens.TryGetValue(e.EventType, out var when)) when(e.Data, view);
        if (view is null) return null;

        view.Version = e.Version;
        foreach (var member in view.Members)
            if (member.CanSeeConversation() && member.SeesEvent(view, e.Data)) member.SeenVersion++;
        return view;
    }

    /// <summary>Every <c>When(event, view)</c> of this class by event type: a new one is folded without a second list.</summary>
    private static readonly IReadOnlyDictionary<Type, Action<object, ConversationView>> Whens =
        typeof(ConversationViewProjection).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(m => m.Name == nameof(When) && m.GetParameters() is [_, { ParameterType: var target }] && target == typeof(ConversationView))
            .ToDictionary(m => m.GetParameters()[0].ParameterType, Compile);

    private static Action<object, ConversationView> Compile(MethodInfo when)
    {
        var e = Expression.Parameter(typeof(object));
        var view = Expression.Parameter(typeof(ConversationView));
        var call = Expression.Call(when, Expression.Convert(e, when.GetParameters()[0].ParameterType), view);
        return Expression.Lambda<Action<object, ConversationView>>(call, e, view).Compile();
    }

    private static ConversationView Start(ConversationStarted e) => new()
    {
        Id = e.ConversationId,
        Kind = e.Kind,
        CreatedBy = e.StartedBy,
        RoomId = e.RoomId,
        EventId = e.EventId,
        StartedAt = e.At,
        LastActivityAt = e.At,
        Members = [new MemberView { UserId = e.StartedBy, Status = MemberStatus.Active, Since = e.At, History = [new HistorySpan { From = 1 }] }],
        InboxOf = [e.StartedBy],
    };

    private static void When(RequestSent e, ConversationView view) => Join(view, e.To, MemberStatus.Pending, e.From, e.At);
    private static void When(RequestAdmittedAutomatically e, ConversationView view) => Join(view, e.To, MemberStatus.Active, e.From, e.At);
    private static void When(RequestSuppressed e, ConversationView view) => Join(view, e.To, MemberStatus.Suppressed, e.From, e.At);
    private static void When(RequestAccepted e, ConversationView view)
    {
        Move(view, e.To, MemberStatus.Active, e.At);
        view.MemberOf(e.To)!.CappedAt = null;
    }

    private static void When(PendingMessagesCapped e, ConversationView view) => view.MemberOf(e.UserId)!.CappedAt = e.UpToSequence;
    private static void When(RequestDeclined e, ConversationView view) => Move(view, e.To, MemberStatus.Declined, e.At);
    private static void When(RequesterBlocked e, ConversationView view) => Move(view, e.To, MemberStatus.BlockedRequester, e.At);
    private static void When(RequestReported e, ConversationView view) => Move(view, e.To, MemberStatus.Reported, e.At);
    private static void When(MemberLeft e, ConversationView view) => Move(view, e.UserId, MemberStatus.Left, e.At);
    private static void When(MemberRemoved e, ConversationView view) => Move(view, e.UserId, MemberStatus.Removed, e.At);

    private static void When(MemberJoinedByRole e, ConversationView view) => Join(view, e.UserId, MemberStatus.Active, null, e.At);
    private static void When(MemberLeftByRole e, ConversationView view) => Move(view, e.UserId, MemberStatus.Left, e.At);

    private static void When(MessageSent e, ConversationView view) =>
        Add(view, MessagePreview.Of(e.MessageId, e.Sequence, e.Author, MessageKind.Message, e.Text, e.At));

    private static void When(ThanksSent e, ConversationView view) =>
        Add(view, MessagePreview.Of(e.MessageId, e.Sequence, e.Author, MessageKind.Thanks, e.Text, e.At));

    private static void When(MessageEdited e, ConversationView view) =>
        Preview(view, e.MessageId, p => MessagePreview.Of(p.MessageId, p.Sequence, p.Author, p.Kind, e.Text, p.At));

    private static void When(MessageDeleted e, ConversationView view) =>
        Preview(view, e.MessageId, p => p with { Text = null, Deleted = true });

    /// <summary>A removal by moderation blanks the previews as a deletion does.</summary>
    private static void When(MessageRemovedByModeration e, ConversationView view) =>
        Preview(view, e.MessageId, p => p with { Text = null, Deleted = true });

    private static void When(MessagesRead e, ConversationView view)
    {
        var reader = view.MemberOf(e.UserId)!;
        reader.ReadUpToSequence = e.UpToSequence;
        reader.ReadUpToMessageId = e.UpToMessageId;
        reader.ReadAt = e.At;
    }

    private static void When(ConversationMuted e, ConversationView view) => view.MemberOf(e.UserId)!.Muted = true;
    private static void When(ConversationUnmuted e, ConversationView view) => view.MemberOf(e.UserId)!.Muted = false;

    private static void When(GroupRenamed e, ConversationView view)
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

    /// <summary>A newcomer, or someone back after they left: they read from the next message on.</summary>
    private static void Join(ConversationView view, string userId, MemberStatus status, string? invitedBy, DateTimeOffset at)
    {
        var before = view.MemberOf(userId);
        var history = before?.History ?? [];
        // Someone suppressed never sees the conversation, so what is sent meanwhile is never theirs to read.
        if (status != MemberStatus.Suppressed && (history.Count == 0 || history[^1].To is not null)) history.Add(new HistorySpan { From = view.LastSequence + 1 });
        view.Members.RemoveAll(m => m.UserId == userId);
        view.Members.Add(new MemberView
        {
            UserId = userId, Status = status, InvitedBy = invitedBy, Since = at,
            ReadUpToSequence = view.LastSequence, History = history, SeenVersion = before?.SeenVersion ?? 0,
        });
        Index(view);
    }

    /// <summary>A member who can no longer see the conversation stops reading it at the last message so far.</summary>
    private static void Move(ConversationView view, string userId, MemberStatus status, DateTimeOffset at)
    {
        var member = view.MemberOf(userId)!;
        member.Status = status;
        member.Since = at;
        if (!member.CanSeeConversation() && member.History is [.., { To: null } open]) open.To = view.LastSequence;
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
