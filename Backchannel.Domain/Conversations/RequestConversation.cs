using Backchannel.Domain.Common;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Conversations;

/// <summary>
/// Start a direct (one recipient) or group (two or more) conversation with an opening message, optionally linked to a
/// live room everyone in it is present in. Each recipient who follows the sender is admitted at once; anyone else gets
/// a request, unless they blocked the sender (silently suppressed) or only hear from people they follow (refused:
/// nothing starts).
/// </summary>
public sealed record RequestConversation(string ConversationId, string From, IReadOnlyList<string> To, string Text, string? RoomId)
{
    /// <summary>
    /// The input rules of <see cref="RequestConversation"/>: Wolverine runs them before the handler, and a failure
    /// answers 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<RequestConversation>
    {
        /// <summary>Declares the rules; FluentValidation resolves the arguments from the container.</summary>
        public Validator(BackchannelSettings settings)
        {
            RuleFor(x => x.ConversationId).MustBeNewStreamId();
            RuleFor(x => x.From).MustBeHandle();
            RuleFor(x => x.To).Cascade(CascadeMode.Stop).NotNull().NotEmpty()
                .Must(to => to.Count <= settings.MaxGroupMembers - 1)
                .WithMessage($"A group has at most {settings.MaxGroupMembers} members, you included.")
                .Must(to => to.Distinct().Count() == to.Count).WithMessage("Each recipient must be named once.");
            RuleForEach(x => x.To).MustBeHandle().NotEqual(x => x.From).WithMessage("You cannot send a request to yourself.");
            RuleFor(x => x.Text).MustBeMessageText();
            RuleFor(x => x.RoomId!).MustBeId().When(x => x.RoomId is not null);
        }
    }
}

/// <summary>
/// What became of a <see cref="RequestConversation"/> (or a thank-you note): started, refused by some recipients'
/// policy, or refused by the rate limit (<see cref="Throttle"/> says which limit, and when to retry).
/// </summary>
public sealed record ConversationRequested(string ConversationId, string OpeningMessageId, IReadOnlyList<string> RefusedBy, Throttle? Throttle = null)
{
    /// <summary>Whether the conversation was started: nobody refused by policy and no limit refused it.</summary>
    public bool Started => RefusedBy.Count == 0 && Throttle is not { Refused: true };
}

/// <summary>
/// Wolverine's handler of <see cref="RequestConversation"/>: loads the state, runs the pure decision and appends its
/// events. Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c>
/// instead of calling it.
/// </summary>
public static class RequestConversationHandler
{
    internal static Invitation Decide(RequestConversation command, string openingMessageId, UserProfile sender,
        IReadOnlyList<UserProfile> recipients, DateTimeOffset now) =>
        ConversationStart.Decide(
            new ConversationStarted(command.ConversationId, recipients.Count == 1 ? ConversationKind.Direct : ConversationKind.Group, command.From,
                command.RoomId, null, now),
            sender, recipients,
            new MessageSent(command.ConversationId, openingMessageId, 1, command.From, command.Text, null, now), now);

    /// <summary>
    /// Decides <see cref="RequestConversation"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task<ConversationRequested> Handle(RequestConversation command, IDocumentSession session,
        BackchannelSettings settings, TimeProvider clock, CancellationToken ct)
    {
        if (command.RoomId is not null)
        {
            var (room, participants) = await session.LoadPresenceAsync(command.RoomId, [command.From, .. command.To], ct);
            RoomLinks.RequireAllPresent(room, command.From, participants);
        }
        return await ConversationStart.StartAsync(session, settings, clock, command.ConversationId, command.From, command.To,
            (sender, recipients, openingMessageId, now) => Decide(command, openingMessageId, sender, recipients, now), ct);
    }

    /// <summary>The opening message's id follows from the conversation's, so a retried request cannot make two.</summary>
    internal static string OpeningMessageIdOf(string conversationId) => $"{conversationId}.1";
}

/// <summary>
/// The one way a conversation starts with an opening message from a person (a request, a thank-you note): each
/// recipient admitted, requested, suppressed or refused by <see cref="Admission"/>, the requests limit applied, and
/// then either the conversation's first events or the refusals on the sender's stream.
/// </summary>
internal static class ConversationStart
{
    /// <summary>
    /// <paramref name="started"/>, what admission decides for each recipient, then <paramref name="opening"/>; or, when a
    /// recipient refuses by policy, only the refusals.
    /// </summary>
    public static Invitation Decide(ConversationStarted started, UserProfile sender, IReadOnlyList<UserProfile> recipients, IMessageEvent opening,
        DateTimeOffset now)
    {
        var invitation = Admission.Invite(started.ConversationId, sender, recipients, now);
        return invitation.Refused ? invitation : invitation with { ConversationEvents = [started, .. invitation.ConversationEvents, opening] };
    }

    /// <summary>
    /// Starts conversation <paramref name="conversationId"/> from <paramref name="from"/> to <paramref name="to"/> with what
    /// <paramref name="decide"/> returns (given the sender's and the recipients' profiles, the opening message's id and
    /// the time), under the lock on the sender's stream that the requests limit counts under.
    /// </summary>
    public static async Task<ConversationRequested> StartAsync(IDocumentSession session, BackchannelSettings settings, TimeProvider clock,
        string conversationId, string from, IReadOnlyList<string> to,
        Func<UserProfile, IReadOnlyList<UserProfile>, string, DateTimeOffset, Invitation> decide, CancellationToken ct)
    {
        var conversation = await session.Events.FetchForWriting<Conversation>(conversationId, ct);
        if (conversation.Aggregate is not null)
            throw RuleViolation.Conflict("conversation_exists", "A conversation with this id exists already.", "conversationId");
        conversation.RequireOwnKind("conversationId");
        var sender = (await session.Events.FetchForExclusiveWriting<UserProfile>(from, ct)).RequireOwnKind();
        var now = clock.GetUtcNow();
        var openingMessageId = RequestConversationHandler.OpeningMessageIdOf(conversationId);
        var profile = sender.Aggregate ?? UserProfile.Default(from);
        var recipients = await session.LoadProfilesAsync(to, ct);
        var invitation = decide(profile, to.Select(t => recipients[t]).ToList(), openingMessageId, now);
        var throttle = await RequestQuota.CheckAsync(session, from, settings, now, RequestQuota.CostOfStarting(invitation), ct);
        if (throttle.Refused)
        {
            sender.AppendMany(RequestQuota.Suppressions(conversationId, profile, to, throttle, now));
            return new ConversationRequested(conversationId, openingMessageId, [], throttle);
        }

        if (invitation.Refused)
            sender.AppendMany(invitation.Refusals);
        else
            conversation.AppendMany(invitation.ConversationEvents);
        return new ConversationRequested(conversationId, openingMessageId, invitation.RefusedBy, throttle);
    }
}
