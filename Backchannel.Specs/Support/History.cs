using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;

namespace Backchannel.Specs.Support;

/// <summary>Fixed, deterministic histories of events, for projection and contract specs.</summary>
public static class History
{
    public const string ConversationId = "c-0001";
    public static readonly DateTimeOffset T0 = new(2026, 11, 1, 9, 0, 0, TimeSpan.Zero);

    public static DateTimeOffset At(int minutes) => T0.AddMinutes(minutes);

    /// <summary>ayu asks budi (a stranger) and cici (who follows ayu) into a group; one message from ayu.</summary>
    public static object[] GroupRequest() =>
    [
        new ConversationStarted(ConversationId, ConversationKind.Group, "ayu", "room-7", null, At(0)),
        new RequestSent(ConversationId, "ayu", "budi", At(0)),
        new RequestAdmittedAutomatically(ConversationId, "ayu", "cici", AdmissionRules.RecipientFollowsSender, At(0)),
        new MessageSent(ConversationId, "m1", 1, "ayu", "Join us after the room?", null, At(0)),
    ];

    /// <summary><see cref="GroupRequest"/>, then a conversation with replies, an edit, a deletion, reactions and reads.</summary>
    public static object[] BusyGroup() =>
    [
        .. GroupRequest(),
        new MessageSent(ConversationId, "m2", 2, "cici", "Count me in", "m1", At(1)),
        new RequestAccepted(ConversationId, "ayu", "budi", ByReplying: true, At(2)),
        new MessageSent(ConversationId, "m3", 3, "budi", "Me too", null, At(2)),
        new MessageEdited(ConversationId, "m3", "budi", "Me too, after 8", At(3)),
        new ReactionAdded(ConversationId, "m1", "cici", "🔥", At(4)),
        new ReactionAdded(ConversationId, "m1", "budi", "🔥", At(4)),
        new ReactionAdded(ConversationId, "m2", "ayu", "👍", At(5)),
        new ReactionWithdrawn(ConversationId, "m2", "ayu", "👍", At(6)),
        new MessageSent(ConversationId, "m4", 4, "ayu", "Typo, ignore", null, At(7)),
        new MessageDeleted(ConversationId, "m4", "ayu", At(8)),
        new MessagesRead(ConversationId, "cici", "m3", 3, At(9)),
        new GroupRenamed(ConversationId, "cici", "After the room", At(10)),
        new ConversationMuted(ConversationId, "budi", At(11)),
    ];
}
