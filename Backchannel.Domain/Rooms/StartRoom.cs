using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Planning;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Rooms;

/// <summary>
/// Open a room, optionally from a scheduled event (its host or a co-host may). The starter is its first moderator and
/// the first member of the room's stage backchannel; the event's hosts become moderators whenever they join.
/// </summary>
public sealed record StartRoom(string RoomId, string StageConversationId, string StartedBy, string Title, string? EventId)
{
    /// <summary>
    /// The input rules of <see cref="StartRoom"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<StartRoom>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.RoomId).MustBeNewStreamId();
            RuleFor(x => x.StageConversationId).MustBeNewStreamId().NotEqual(x => x.RoomId);
            RuleFor(x => x.StartedBy).MustBeHandle();
            RuleFor(x => x.Title).MustBeTitle();
            RuleFor(x => x.EventId!).MustBeId().When(x => x.EventId is not null);
        }
    }
}

/// <summary>What <see cref="StartRoom"/> opened, and how close the starter is to the limit (refused: nothing opened).</summary>
public sealed record RoomOpened(string RoomId, string StageConversationId, Throttle? Throttle = null);

/// <summary>
/// Wolverine's handler of <see cref="StartRoom"/>: loads the state, runs the pure decision and appends its events.
/// Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead
/// of calling it.
/// </summary>
public static class StartRoomHandler
{
    /// <summary>A room over the rate limit is not opened, and nothing is recorded of it.</summary>
    internal static IReadOnlyList<object> Decide(StartRoom command, PlannedEvent? fromEvent, Throttle throttle, DateTimeOffset now)
    {
        IReadOnlyList<string> hosts = [];
        if (command.EventId is not null)
        {
            fromEvent.RequireUpcoming().RequireAHost(command.StartedBy);
            hosts = fromEvent.Hosts;
        }
        if (throttle.Refused) return [];
        return
        [
            .. command.EventId is null ? [] : new object[] { new EventWentLive(command.EventId, command.RoomId, command.StartedBy, now) },
            new RoomStarted(command.RoomId, command.Title, command.StartedBy, command.EventId, command.StageConversationId, hosts, now),
            new ParticipantJoined(command.RoomId, command.StartedBy, RoomRole.Moderator, now),
            new ConversationStarted(command.StageConversationId, ConversationKind.Stage, command.StartedBy, command.RoomId, null, now),
        ];
    }

    /// <summary>
    /// Decides <see cref="StartRoom"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task<RoomOpened> Handle(StartRoom command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock,
        CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var fromEvent = command.EventId is null ? null : await streams.LockAsync<PlannedEvent>(command.EventId, ct);
        if (await streams.LockAsync<Room>(command.RoomId, ct, "roomId") is not null)
            throw RuleViolation.Conflict("room_exists", "A room with this id exists already.", "roomId");
        await streams.LockAsync<Participant>(RoomStreams.ParticipantId(command.RoomId, command.StartedBy), ct);
        if (await streams.LockAsync<Conversation>(command.StageConversationId, ct, "stageConversationId") is not null)
            throw RuleViolation.Conflict("conversation_exists", "A conversation with this id exists already.", "stageConversationId");
        var now = clock.GetUtcNow();
        var throttle = await CreationQuota.CheckAsync(session, ConversationKind.Stage, settings.RateLimits.RoomsStarted, command.StartedBy,
            settings, now, ct);
        streams.Append(Decide(command, fromEvent, throttle, now));
        return new RoomOpened(command.RoomId, command.StageConversationId, throttle);
    }
}
