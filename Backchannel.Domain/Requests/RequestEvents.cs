using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;

namespace Backchannel.Domain.Requests;

// Every decision about a message request is one of these events: together they are the audit trail.
// Each names the conversation, the requester (From) and the recipient (To), and when it happened; the actor is
// the recipient for their own decisions and the system (with its Rule) for automatic ones.

/// <summary>A request reached <paramref name="To"/>'s requests inbox: they do not follow <paramref name="From"/>.</summary>
public sealed record RequestSent(string ConversationId, string From, string To, DateTimeOffset At) : IConversationEvent;

/// <summary>The system admitted <paramref name="To"/> at once, by <paramref name="Rule"/> (they follow the requester).</summary>
public sealed record RequestAdmittedAutomatically(string ConversationId, string From, string To, string Rule, DateTimeOffset At) : IConversationEvent;

/// <summary>
/// The system kept a request from ever reaching <paramref name="To"/>, by <paramref name="Rule"/> (a block, or their
/// having turned this conversation down before), silently: the requester is not told, and sees it as sent.
/// </summary>
public sealed record RequestSuppressed(string ConversationId, string From, string To, string Rule, DateTimeOffset At) : IConversationEvent;

/// <summary>
/// The system refused a request to <paramref name="To"/>, who hears only from people they follow: the requester is
/// told (403) and nothing started. Recorded on the requester's own stream, since no conversation exists.
/// <paramref name="ConversationId"/> is the id the requester asked for.
/// </summary>
public sealed record RequestSuppressedByPolicy(string ConversationId, string From, string To, string Rule, DateTimeOffset At) : IStreamEvent
{
    string IStreamEvent.StreamId => From;
}

/// <summary>
/// The requester had started as many conversations as the rate limit allows: the request to <paramref name="To"/> was
/// refused (429) and nothing started. Recorded on the requester's stream, with the rule and when a slot frees.
/// </summary>
public sealed record RequestSuppressedByRateLimit(string ConversationId, string From, string To, string Rule, DateTimeOffset RetryAt, DateTimeOffset At) : IStreamEvent
{
    string IStreamEvent.StreamId => From;
}

/// <summary>
/// A requester wrote faster than the rate limit allows while their request was pending: the message was refused (429)
/// and not sent. Recorded on the conversation's stream.
/// </summary>
public sealed record PendingMessageSuppressedByRateLimit(string ConversationId, string From, string Rule, DateTimeOffset RetryAt, DateTimeOffset At) : IConversationEvent;

/// <summary><paramref name="To"/> accepted the request, explicitly or by replying to it.</summary>
public sealed record RequestAccepted(string ConversationId, string From, string To, bool ByReplying, DateTimeOffset At) : IConversationEvent;

/// <summary><paramref name="To"/> declined: the conversation disappears for them; the requester sees nothing change.</summary>
public sealed record RequestDeclined(string ConversationId, string From, string To, DateTimeOffset At) : IConversationEvent;

/// <summary><paramref name="To"/> declined and blocked the requester: their further requests are suppressed.</summary>
public sealed record RequesterBlocked(string ConversationId, string From, string To, DateTimeOffset At) : IConversationEvent;

/// <summary><paramref name="To"/> declined and reported the request to trust and safety, with an optional reason.</summary>
public sealed record RequestReported(string ConversationId, string From, string To, string? Reason, DateTimeOffset At) : IConversationEvent;

/// <summary>The rules by which the system decides a request on its own; stored in events, so never renamed.</summary>
public static class AdmissionRules
{
    /// <summary>Admitted without a request: the recipient follows the sender.</summary>
    public const string RecipientFollowsSender = "recipient_follows_sender";
    /// <summary>Suppressed: the recipient has blocked the sender.</summary>
    public const string Blocked = "blocked";
    /// <summary>Refused: the recipient accepts requests only from people they follow.</summary>
    public const string PolicyFollowingOnly = "policy_following_only";
    /// <summary>Invited again after declining, blocking or reporting this conversation's request, and removed meanwhile.</summary>
    public const string TurnedDownBefore = "declined_before";
}

/// <summary>The free text of request decisions and who wrote it: what an erasure masks (<see cref="Privacy.ProtectedInformation"/>).</summary>
public static class RequestProtectedText
{
    /// <summary>
    /// A report's reason, erased with the reporter or with the requester it is about; the decision itself (who
    /// reported, when) stays.
    /// </summary>
    public static readonly IReadOnlyList<Privacy.ProtectedText> Rules =
    [
        Privacy.ProtectedText.Of<RequestReported>(e => e.To, e => e with { Reason = null }, about: e => e.From),
    ];
}
