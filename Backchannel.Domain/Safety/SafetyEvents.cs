namespace Backchannel.Domain.Safety;

// Events of trust and safety. An operator's decision on a report goes on the reported conversation's stream, whose
// lock already orders the reports themselves, so a report and a decision on it never race; it is named in no viewer
// rule, so no member sees it or counts it in their version. A suspension has a stream of its own per user
// (Suspension.StreamOf), an id no client can choose. Each names its target first, then the operator, a reason, and
// ends with when it happened.

/// <summary>
/// Operator <paramref name="DismissedBy"/> dismissed the open reports of case <paramref name="ReportId"/> against
/// <paramref name="ReportedUser"/>: nothing the reports named was against the rules. The reported user is not told.
/// </summary>
public sealed record ReportDismissed(string ConversationId, string ReportId, string ReportedUser, string DismissedBy, string Reason, DateTimeOffset At) : Conversations.IConversationEvent;

/// <summary>
/// Operator <paramref name="RemovedBy"/> removed message <paramref name="MessageId"/> of <paramref name="Author"/> for everyone, deciding case
/// <paramref name="ReportId"/>: its text leaves every view and the push feed, and the thread shows in its place that
/// moderation removed it. One event per message removed.
/// </summary>
public sealed record MessageRemovedByModeration(
    string ConversationId, string MessageId, string Author, string ReportId, string RemovedBy, string Reason, DateTimeOffset At) : Conversations.IMessageEvent;

/// <summary>
/// Operator <paramref name="SuspendedBy"/> suspended <paramref name="UserId"/> until <paramref name="Until"/> (until
/// lifted when null): they may read but not write, and their pending requests leave their recipients' requests inboxes.
/// A later suspension replaces an earlier one.
/// </summary>
public sealed record UserSuspended(string UserId, string SuspendedBy, DateTimeOffset? Until, string Reason, DateTimeOffset At) : Common.IStreamEvent
{
    string Common.IStreamEvent.StreamId => Suspension.StreamOf(UserId);
}

/// <summary>Operator <paramref name="LiftedBy"/> lifted <paramref name="UserId"/>'s suspension before its end.</summary>
public sealed record SuspensionLifted(string UserId, string LiftedBy, string? Reason, DateTimeOffset At) : Common.IStreamEvent
{
    string Common.IStreamEvent.StreamId => Suspension.StreamOf(UserId);
}

/// <summary>
/// The free text of trust and safety's events and who wrote it: what an erasure masks
/// (<see cref="Privacy.ProtectedInformation"/>). Operators write every reason here; an erased operator's reasons go.
/// </summary>
public static class SafetyProtectedText
{
    /// <summary>The reasons of a dismissal, a removal, a suspension and its lifting.</summary>
    public static readonly IReadOnlyList<Privacy.ProtectedText> Rules =
    [
        Privacy.ProtectedText.Of<ReportDismissed>(e => e.DismissedBy, e => e with { Reason = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<MessageRemovedByModeration>(e => e.RemovedBy, e => e with { Reason = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<UserSuspended>(e => e.SuspendedBy, e => e with { Reason = Privacy.ProtectedText.Erased }),
        Privacy.ProtectedText.Of<SuspensionLifted>(e => e.LiftedBy, e => e with { Reason = null }),
    ];
}
