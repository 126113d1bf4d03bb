using Backchannel.Domain.Common;
using Backchannel.Domain.Requests;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Conversations;

/// <summary>
/// Write in a conversation. A pending recipient's reply accepts the request; a requester may send only a few
/// messages until someone accepts. Sending your message id twice is a no-op, so a retry never duplicates it.
/// </summary>
public sealed record SendMessage(string ConversationId, string MessageId, string Sender, string Text, string? ReplyTo)
{
    public sealed class Validator : AbstractValidator<SendMessage>
    {
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.MessageId).MustBeId();
            RuleFor(x => x.Sender).MustBeHandle();
            RuleFor(x => x.Text).MustBeMessageText();
            RuleFor(x => x.ReplyTo!).MustBeId().When(x => x.ReplyTo is not null);
        }
    }
}

public static class SendMessageHandler
{
    public static IReadOnlyList<object> Decide(SendMessage command, Conversation? conversation, BackchannelSettings settings, DateTimeOffset now)
    {
        var member = conversation.RequireVisible(command.Sender);
        if (conversation.Messages.GetValueOrDefault(command.MessageId) is { } existing)
        {
            return existing.Author == command.Sender
                ? []
                : throw RuleViolation.Conflict("message_id_taken", "Another member's message has this id.", "messageId");
        }
        if (command.ReplyTo is not null) conversation.RequireMessage(command.ReplyTo, "replyTo");

        var events = new List<object>();
        if (member.Status == MemberStatus.Pending)
            events.Add(new RequestAccepted(conversation.Id, member.InvitedBy!, command.Sender, ByReplying: true, now));
        else if (conversation.AwaitingAcceptance && conversation.MessagesWhileAwaitingAcceptance >= settings.PendingRequestMessageCap)
            throw RuleViolation.Conflict("pending_request_message_cap",
                $"Until someone accepts your request you may send at most {settings.PendingRequestMessageCap} messages.");

        events.Add(new MessageSent(conversation.Id, command.MessageId, conversation.LastSequence + 1, command.Sender,
            command.Text, command.ReplyTo, now));
        return events;
    }

    public static Task Handle(SendMessage command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock, CancellationToken ct) =>
        session.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, settings, clock.GetUtcNow()), ct);
}
