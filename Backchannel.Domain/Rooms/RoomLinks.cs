using Backchannel.Domain.Common;
using Marten;

namespace Backchannel.Domain.Rooms;

/// <summary>
/// The rule for conversations linked to a room: people who are in a room together may chat about it, so the sender and
/// every recipient must be present in it (requests still apply as usual).
/// </summary>
internal static class RoomLinks
{
    public static void RequireAllPresent(Room? room, string sender, IReadOnlyDictionary<string, Participant?> participants)
    {
        room.RequireLive();
        participants.GetValueOrDefault(sender).RequirePresent();
        var absent = participants.Where(p => p.Key != sender && p.Value is not { Present: true }).Select(p => p.Key).Order().ToList();
        if (absent.Count > 0)
            throw RuleViolation.Conflict("recipient_not_in_room", $"Not in the room: {string.Join(", ", absent)}.", "to");
    }

    /// <summary>The room and each person's place in it, read in one round trip.</summary>
    public static async Task<(Room?, IReadOnlyDictionary<string, Participant?>)> LoadPresenceAsync(this IQuerySession session,
        string roomId, IEnumerable<string> userIds, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var room = batch.Load<Room>(roomId);
        var participants = userIds.Distinct().ToDictionary(u => u, u => batch.Load<Participant>(RoomStreams.ParticipantId(roomId, u)));
        await batch.Execute(ct);
        var loaded = new Dictionary<string, Participant?>();
        foreach (var (userId, participant) in participants) loaded[userId] = await participant;
        return (await room, loaded);
    }
}
