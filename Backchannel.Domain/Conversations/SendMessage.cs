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
    /// <summary>
    /// The rate limit on messages sent while one's requests are pending, counted across all of the sender's pending
    /// requests (<paramref name="sentWhilePending"/>), so spreading a flood over many strangers does not escape it.
    /// Null when no limit applies: nobody is waiting on an answer from this conversation's members.
    /// </summary>
    public static Throttle? Pace(SendMessage command, Conversation? conversation, IEnumerable<DateTimeOffset> sentWhilePending,
        BackchannelSettings settings, DateTimeOffset now) =>
        IsPendingRequester(command, conversation)
            ? RateWindow.Check(settings.RateLimits.PendingMessages, sentWhilePending, now, settings.RateLimits.WarnAtShare)
            : null;

    private static bool IsPendingRequester(SendMessage command, Conversation? conversation) =>
        conversation is { AwaitingAcceptance: true } && conversation.MemberOf(command.Sender) is { Status: MemberStatus.Active };

    public static IReadOnlyList<object> Decide(SendMessage command, Conversation? conversation, Throttle? throttle, BackchannelSettings settings,
        DateTimeOffset now)
    {
        var member = conversation.RequireVisible(command.Sender);
        if (conversation.Messages.GetValueOrDefault(command.MessageId) is { } existing)
        {
            return existing.Author == command.Sender
                ? []
                : throw RuleViolation.Conflict("message_id_taken", "Another member's message has this id.", "messageId");
        }
        if (command.ReplyTo is not null) conversation.RequireMessage(command.ReplyTo, command.Sender, "replyTo");

        var events = new List<object>();
        if (member.Status == MemberStatus.Pending)
            events.Add(new RequestAccepted(conversation.Id, member.InvitedBy!, command.Sender, ByReplying: true, now));
        else if (conversation.AwaitingAcceptance && conversation.MessagesWhileAwaitingAcceptance >= settings.PendingRequestMessageCap)
            throw RuleViolation.Conflict("pending_request_message_cap",
                $"Until someone accepts your request you may send at most {settings.PendingRequestMessageCap} messages.");
        else if (throttle is { Refused: true })
            return [new PendingMessageSuppressedByRateLimit(conversation.Id, command.Sender, throttle.Rule, now + throttle.RetryAfter, now)];

        events.Add(new MessageSent(conversation.Id, command.MessageId, conversation.LastSequence + 1, command.Sender,
            command.Text, command.ReplyTo, now));
        return events;
    }

    /// <summary>
    /// A requester's message also takes the lock on their pending messages, so their messages across pending requests
    /// are counted one after the other (always after the conversation's lock, never before).
    /// </summary>
    public static async Task<Paced> Handle(SendMessage command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock,
        CancellationToken ct)
    {
        var stream = await session.Events.FetchForExclusiveWriting<Conversation>(command.ConversationId, ct);
        var conversation = await session.WithMessagesAsync(stream.Aggregate, [command.MessageId, command.ReplyTo], ct);
        IReadOnlyList<DateTimeOffset> sentWhilePending = [];
        if (IsPendingRequester(command, conversation))
        {
            await RateLimitLock.AcquireAsync(session, "pending-messages", command.Sender, ct);
            sentWhilePending = await SentWhilePendingAsync(session, command.Sender, clock.GetUtcNow() - settings.RateLimits.PendingMessages.Window, ct);
        }
        var now = clock.GetUtcNow();
        var throttle = Pace(command, conversation, sentWhilePending, settings, now);
        var events = Decide(command, conversation, throttle, settings, now);
        stream.AppendMany(events);
        return new Paced(events.Count == 0 ? null : throttle);
    }

    private static async Task<IReadOnlyList<DateTimeOffset>> SentWhilePendingAsync(IQuerySession session, string userId, DateTimeOffset since,
        CancellationToken ct)
    {
        var pending = await session.Query<Conversation>().Where(c => c.CreatedBy == userId && !c.EverAccepted).ToListAsync(ct);
        return pending.SelectMany(c => c.SentWhileAwaitingAcceptance).Where(t => t > since).ToList();
    }
}
