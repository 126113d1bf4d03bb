using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Thanks;

/// <summary>
/// Thank someone for a room you were both in, or for an event they host. The note starts a direct conversation linked
/// to what it thanks for and is delivered like any message: a request when the recipient does not follow you.
/// </summary>
public sealed record SendThanks(string ConversationId, string From, string To, string? RoomId, string? EventId, string Text)
{
    /// <summary>
    /// The input rules of <see cref="SendThanks"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<SendThanks>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeNewStreamId();
            RuleFor(x => x.From).MustBeHandle();
            RuleFor(x => x.To).MustBeHandle().NotEqual(x => x.From).WithMessage("You cannot thank yourself.");
            RuleFor(x => x.RoomId).NotNull().When(x => x.EventId is null).WithMessage("Say which room or event you are thankful for.");
            RuleFor(x => x.EventId).Null().When(x => x.RoomId is not null).WithMessage("Thank for a room or an event, not both.");
            RuleFor(x => x.RoomId!).MustBeId().When(x => x.RoomId is not null);
            RuleFor(x => x.EventId!).MustBeId().When(x => x.EventId is not null);
            RuleFor(x => x.Text).MustBeMessageText();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="SendThanks"/>: loads the state, runs the pure decision and appends its events.
/// Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead
/// of calling it.
/// </summary>
public static class SendThanksHandler
{
    /// <summary>What the note thanks for must be something the two share: a room both were in, or an event the recipient hosts.</summary>
    internal static void RequireSharedOccasion(SendThanks command, Room? room, IReadOnlyDictionary<string, Participant?> participants,
        PlannedEvent? plannedEvent)
    {
        if (command.RoomId is not null)
        {
            room.RequireRoom();
            if (participants.GetValueOrDefault(command.From) is null)
                throw RuleViolation.Forbidden("not_in_room", "You were not in that room.", "roomId");
            if (participants.GetValueOrDefault(command.To) is null)
                throw RuleViolation.Conflict("recipient_not_in_room", $"{command.To} was not in that room.", "to");
        }
        else if (!plannedEvent.RequireEvent().IsHost(command.To))
        {
            throw RuleViolation.Conflict("recipient_not_a_host", $"{command.To} does not host that event.", "to");
        }
    }

    internal static Invitation Decide(SendThanks command, string messageId, UserProfile sender, UserProfile recipient, DateTimeOffset now) =>
        ConversationStart.Decide(
            new ConversationStarted(command.ConversationId, ConversationKind.Direct, command.From, command.RoomId, command.EventId, now),
            sender, [recipient],
            new ThanksSent(command.ConversationId, messageId, 1, command.From, command.To, command.Text, command.RoomId, command.EventId, now), now);

    /// <summary>
    /// Decides <see cref="SendThanks"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task<ConversationRequested> Handle(SendThanks command, IDocumentSession session, BackchannelSettings settings,
        TimeProvider clock, CancellationToken ct)
    {
        var (room, participants) = command.RoomId is null
            ? (null, new Dictionary<string, Participant?>())
            : await session.LoadPresenceAsync(command.RoomId, [command.From, command.To], ct);
        var plannedEvent = command.EventId is null ? null : await session.LoadAsync<PlannedEvent>(command.EventId, ct);
        RequireSharedOccasion(command, room, participants, plannedEvent);
        return await ConversationStart.StartAsync(session, settings, clock, command.ConversationId, command.From, [command.To],
            (sender, recipients, messageId, now) => Decide(command, messageId, sender, recipients.Single(), now), ct);
    }
}
