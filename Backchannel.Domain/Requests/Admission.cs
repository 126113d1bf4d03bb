using Backchannel.Domain.Common;
using Backchannel.Domain.People;

namespace Backchannel.Domain.Requests;

/// <summary>What happens to one recipient of a new conversation or of an invitation to a group.</summary>
internal enum AdmissionVerdict
{
    /// <summary>The recipient follows the inviter: in at once.</summary>
    AdmittedAutomatically,
    /// <summary>A request waits in the recipient's requests inbox.</summary>
    Requested,
    /// <summary>The recipient blocked the inviter: silently dropped, recorded.</summary>
    SuppressedByBlock,
    /// <summary>The recipient only hears from people they follow: refused to the inviter, recorded.</summary>
    RefusedByPolicy,
}

/// <summary>The one rule that decides how an invitation reaches a recipient (PRODUCT.md, message requests).</summary>
internal static class Admission
{
    public static AdmissionVerdict Decide(UserProfile inviter, UserProfile recipient)
    {
        if (inviter.HasBlocked(recipient.Id))
            throw RuleViolation.Forbidden("recipient_blocked_by_you",
                $"You blocked {recipient.Id}: unblock them before starting a conversation.", "to");
        if (recipient.HasBlocked(inviter.Id)) return AdmissionVerdict.SuppressedByBlock;
        if (recipient.Follows(inviter.Id)) return AdmissionVerdict.AdmittedAutomatically;
        return recipient.Policy == MessagePolicy.Following ? AdmissionVerdict.RefusedByPolicy : AdmissionVerdict.Requested;
    }

    /// <summary>
    /// Invites <paramref name="invitees"/> into a conversation. When any refuses by policy, the invitation is refused
    /// whole: only the refusals are recorded (on the inviter's stream), and the conversation gets nothing.
    /// </summary>
    public static Invitation Invite(string conversationId, UserProfile inviter, IEnumerable<UserProfile> invitees, DateTimeOffset now)
    {
        var verdicts = invitees.Select(p => (Invitee: p.Id, Verdict: Decide(inviter, p))).ToList();
        var refusedBy = verdicts.Where(v => v.Verdict == AdmissionVerdict.RefusedByPolicy).Select(v => v.Invitee).ToList();
        if (refusedBy.Count > 0)
        {
            return new Invitation([],
                refusedBy.Select(to => new RequestSuppressedByPolicy(conversationId, inviter.Id, to, AdmissionRules.PolicyFollowingOnly, now)).ToList(),
                refusedBy);
        }

        return new Invitation(verdicts.Select(v => v.Verdict switch
        {
            AdmissionVerdict.AdmittedAutomatically =>
                (object)new RequestAdmittedAutomatically(conversationId, inviter.Id, v.Invitee, AdmissionRules.RecipientFollowsSender, now),
            AdmissionVerdict.Requested => new RequestSent(conversationId, inviter.Id, v.Invitee, now),
            _ => new RequestSuppressed(conversationId, inviter.Id, v.Invitee, AdmissionRules.Blocked, now),
        }).ToList(), [], []);
    }
}

/// <summary>
/// The outcome of inviting people into a conversation: the events for the conversation's stream, or, when refused
/// by policy, the refusals to record on the inviter's stream.
/// </summary>
internal sealed record Invitation(IReadOnlyList<object> ConversationEvents, IReadOnlyList<RequestSuppressedByPolicy> Refusals, IReadOnlyList<string> RefusedBy)
{
    public bool Refused => RefusedBy.Count > 0;

    /// <summary>
    /// The people invited who do not follow the inviter: requested, or suppressed, which must cost the same, since
    /// the inviter may not tell them apart. What the requests limit counts.
    /// </summary>
    public int StrangersReached => ConversationEvents.Count(e => e is RequestSent or RequestSuppressed);

    /// <summary>Whom the invitation reaches as a stranger, in order.</summary>
    public IReadOnlyList<string> Strangers => ConversationEvents
        .Select(e => e switch { RequestSent s => s.To, RequestSuppressed s => s.To, _ => null })
        .OfType<string>().ToList();
}
