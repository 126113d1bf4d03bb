using Backchannel.Domain.Common;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Rooms;

namespace Backchannel.Projections;

/// <summary>
/// The refusals a query answers with no view (<see cref="Rooms.RoomUnseen"/>, a missing event), as the Domain's
/// commands refuse the same: one code for a reader and a writer.
/// </summary>
public static class Refusals
{
    /// <summary>There is no such room (404 <c>room_not_found</c>).</summary>
    public static RuleViolation NoSuchRoom() => RoomAccess.NoSuchRoom();

    /// <summary>The reader is not in the room (403 <c>not_in_room</c>).</summary>
    public static RuleViolation NotInRoom() => RoomAccess.NotInRoom();

    /// <summary>The view is the stage's and the reader is not on it (403 <c>stage_only</c>).</summary>
    public static RuleViolation StageOnly() => RoomAccess.StageOnly();

    /// <summary>There is no such event (404 <c>event_not_found</c>).</summary>
    public static RuleViolation NoSuchEvent() => PlannedEventAccess.NoSuchEvent();
}
