using Backchannel.Domain.Common;
using FluentValidation;
using Backchannel.Domain.Safety;
using Marten;

namespace Backchannel.Domain.Conversations;

/// <summary>Report someone else's message to trust and safety. Reporting it twice is a no-op.</summary>
public sealed record ReportMessage(string ConversationId, string MessageId, string ReportedBy, string? Reason)
{
    /// <summary>
    /// The input rules of <see cref="ReportMessage"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<ReportMessage>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.ReportedBy).MustBeHandle();
            RuleFor(x => x.Reason).MustBeReason();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="ReportMessage"/>: loads the state, runs the pure decision and appends its events.
/// Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead
/// of calling it.
/// </summary>
public static class ReportMessageHandler
{
    internal static IReadOnlyList<object> Decide(ReportMessage command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireVisible(command.ReportedBy);
        var message = conversation.RequireMessage(command.MessageId, command.ReportedBy);
        if (message.Author == command.ReportedBy)
            throw RuleViolation.Conflict("own_message", "You cannot report your own message.", "messageId");
        return message.ReportedBy.Contains(command.ReportedBy)
            ? []
            : [new MessageReported(conversation.Id, command.MessageId, command.ReportedBy, message.Author, command.Reason, now)];
    }

    /// <summary>Paced by the reporting limit (<see cref="Safety.ReportQuota"/>): 429 past it, and nothing filed.</summary>
    public static Task<Paced> Handle(ReportMessage command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return session.DecidePacedAsync(command.ConversationId, [command.MessageId], command.ReportedBy, settings, now, c => Decide(command, c, now), ct);
    }
}
