using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Thanks;
using Backchannel.Domain.Questions;

namespace Backchannel.Host.Http;

// The JSON bodies of the HTTP API. The caller's handle never comes from a body: it is the token's subject.

[ValidatedAs(typeof(SetMessagePolicy))]
public sealed record SetPolicyBody(MessagePolicy Policy);
[ValidatedAs(typeof(RequestConversation))]
public sealed record RequestConversationBody(IReadOnlyList<string> To, string Text, string? RoomId = null);
/// <param name="Text">The message.</param>
/// <param name="ReplyTo">The id of the message this one answers, if any.</param>
/// <param name="MessageId">
/// Optional, chosen by the client: sending the same id again (a retry after a timeout or a 503) stores the message once
/// and answers 201 with the same id. Without it the server picks a new id, and a retry is a second message.
/// </param>
[ValidatedAs(typeof(SendMessage))]
public sealed record SendMessageBody(string Text, string? ReplyTo = null, string? MessageId = null);
[ValidatedAs(typeof(EditMessage))]
public sealed record EditMessageBody(string Text);
[ValidatedAs(typeof(ReactToMessage))]
public sealed record ReactionBody(string Emoji);
[ValidatedAs(typeof(MarkRead))]
public sealed record MarkReadBody(string UpToMessageId);
[ValidatedAs(typeof(ReportMessage))]
public sealed record ReasonBody(string? Reason = null);
[ValidatedAs(typeof(StartRoom))]
public sealed record StartRoomBody(string Title, string? EventId = null);
public sealed record UserBody(string UserId);
public sealed record PromoteBody(string UserId, string? QuestionId = null);
[ValidatedAs(typeof(AskQuestion))]
public sealed record AskQuestionBody(string Text, bool Anonymous);
[ValidatedAs(typeof(AnswerQuestion))]
public sealed record AnswerBody(string Text, AnswerVisibility Visibility);
[ValidatedAs(typeof(ScheduleEvent))]
public sealed record ScheduleEventBody(string Title, DateTimeOffset StartsAt, IReadOnlyList<string>? CoHosts = null);
public sealed record RescheduleBody(DateTimeOffset StartsAt);
[ValidatedAs(typeof(SendThanks))]
public sealed record SendThanksBody(string To, string Text, string? RoomId = null, string? EventId = null);
[ValidatedAs(typeof(RenameGroup))]
public sealed record RenameGroupBody(string Title);
[ValidatedAs(typeof(AddMembers))]
public sealed record AddMembersBody(IReadOnlyList<string> UserIds);
/// <param name="Reason">Why the operator decides so: required, kept in the moderation audit.</param>
public sealed record ModerationReasonBody(string Reason);
/// <param name="Until">When the suspension ends by itself; null for one until lifted.</param>
/// <param name="Reason">Why: required, kept in the moderation audit, not shown to the user.</param>
public sealed record SuspendBody(DateTimeOffset? Until, string Reason);

/// <summary>Sent with a success when the caller nears a rate limit: which one, and how many commands it still allows.</summary>
public sealed record RateLimitWarning(string Rule, int Remaining);

public sealed record ConversationCreated(string ConversationId, string MessageId, RateLimitWarning? Warning = null);
public sealed record MessageCreated(string MessageId, RateLimitWarning? Warning = null);
public sealed record RoomCreated(string RoomId, string StageConversationId, RateLimitWarning? Warning = null);
public sealed record QuestionCreated(string QuestionId, RateLimitWarning? Warning = null);
public sealed record EventCreated(string EventId, string PlanningConversationId, RateLimitWarning? Warning = null);

/// <summary>Ids the caller chooses for new streams and messages: time-ordered, unique without coordination.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString();
}
