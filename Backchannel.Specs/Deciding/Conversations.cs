using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Histories that decider specs start from. "c1" is always the conversation; ayu always started it.</summary>
public static class Conversations
{
    public const string Id = "c1";
    public const string Opening = "c1.1";

    public static ConversationStarted Started(ConversationKind kind = ConversationKind.Direct) => new(Id, kind, "ayu", null, null, Now);
    public static RequestSent RequestTo(string to) => new(Id, "ayu", to, Now);
    public static RequestAdmittedAutomatically AdmittedAutomatically(string to) => new(Id, "ayu", to, AdmissionRules.RecipientFollowsSender, Now);
    public static MessageSent Message(long sequence, string author, string? id = null) =>
        new(Id, id ?? (sequence == 1 ? Opening : $"m{sequence}"), sequence, author, $"message {sequence}", null, Now);

    /// <summary>ayu asked budi (a stranger): budi's request is pending.</summary>
    public static object[] PendingRequest() => [Started(), RequestTo("budi"), Message(1, "ayu")];

    /// <summary>ayu and budi talk: budi accepted.</summary>
    public static object[] Accepted() => [.. PendingRequest(), new RequestAccepted(Id, "ayu", "budi", false, Now)];

    /// <summary>ayu's group with budi and cici, both in, and a message from each.</summary>
    public static object[] Group() =>
    [
        Started(ConversationKind.Group), AdmittedAutomatically("budi"), AdmittedAutomatically("cici"),
        Message(1, "ayu"), Message(2, "budi"), Message(3, "cici"),
    ];

    public static Given<Conversation> Given(params object[] events) => Spec.Given<Conversation>(events);
}
