using Backchannel.Domain.People;

namespace Backchannel.Host.Http;

// The JSON bodies of the HTTP API. The caller's handle never comes from a body: it is the token's subject.

public sealed record SetPolicyBody(MessagePolicy Policy);
public sealed record RequestConversationBody(IReadOnlyList<string> To, string Text, string? RoomId);
public sealed record SendMessageBody(string Text, string? ReplyTo);
public sealed record EditMessageBody(string Text);
public sealed record ReactionBody(string Emoji);
public sealed record MarkReadBody(string UpToMessageId);
public sealed record ReportBody(string? Reason);
public sealed record RenameGroupBody(string Title);
public sealed record AddMembersBody(IReadOnlyList<string> UserIds);

public sealed record ConversationCreated(string ConversationId, string MessageId);
public sealed record MessageCreated(string MessageId);

/// <summary>Ids the caller chooses for new streams and messages: time-ordered, unique without coordination.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString();
}
