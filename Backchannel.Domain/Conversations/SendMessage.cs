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
    /// <summary>
    /// The input rules of <see cref="SendMessage"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<SendMessage>
    {
        /// <summary>Declares the rules.</summary>
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

/// <summary>
/// Wolverine's handler of <see cref="SendMessage"/>: loads the state, runs the pure decision and appends its events.
/// Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead
/// of calling it.
/// </summary>
public static class SendMessageHandler
{
    /// <summary>
    /// The rate limit on messages sent while one's requests are pending, counted across all of the sender's pending
    /// requests (<paramref name="sentWhilePending"/>), so spreading a flood over many strangers does not escape it.
    /// Null when no limit applies: the sender invited nobody here who has not accepted. A request declined, blocked,
    /// reported or suppressed still counts as pending, since the sender must not tell them apart.
    /// </summary>
    internal static Throttle? Pace(SendMessage command, Conversation? conversation, IEnumerable<DateTimeOffset> sentWhilePending,
        BackchannelSettings settings, DateTimeOffset now) =>
        IsPendingRequester(command, conversation, settings)
            ? RateWindow.Check(settings.RateLimits.PendingMessages, sentWhilePending, now, settings.RateLimits.WarnAtShare)
            : null;

    /// <summary>
    /// The sender invited someone here who has not accepted, and this message would reach one of them: messages past
    /// every such invitee's cap reach only the members who are in, and are not paced.
    /// </summary>
    private static bool IsPendingRequester(SendMessage command, Conversation? conversation, BackchannelSettings settings) =>
        conversation is not null && conversation.MemberOf(command.Sender) is { Status: MemberStatus.Active }
        && conversation.AwaitsAnswer(command.Sender)
        && conversation.ReachesAnUnansweredInvitee(conversation.LastSequence + 1, command.Sender, settings.PendingRequestMessageCap);

    internal static IReadOnlyList<object> Decide(SendMessage command, Conversation? conversation, Throttle? throttle, BackchannelSettings settings,
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
        var cap = settings.PendingRequestMessageCap;
        var sequence = conversation.LastSequence + 1;
        if (member.Status == MemberStatus.Pending)
            events.Add(new RequestAccepted(conversation.Id, member.InvitedBy!, command.Sender, ByReplying: true, now));
        else if (conversation.MostSentToUnansweredInviteeOf(command.Sender) >= cap && conversation.ReachesOnlyTheUnanswered(command.Sender))
            throw RuleViolation.Conflict("pending_request_message_cap",
                $"Until someone you invited here accepts, they may be sent at most {cap} messages.");
        else if (throttle is { Refused: true })
            return conversation.PaceRecordedUntil.GetValueOrDefault(command.Sender) > now
                ? []
                : [new PendingMessageSuppressedByRateLimit(conversation.Id, command.Sender, throttle.Rule, now + throttle.RetryAfter, now)];

        // Whoever has not accepted sees the first messages of their request only: the rest wait for their acceptance.
        events.AddRange(conversation.CappedBy(sequence, command.Sender, cap)
            .Select(m => new PendingMessagesCapped(conversation.Id, m.UserId, m.JoinedAtSequence + cap, now)));
        events.Add(new MessageSent(conversation.Id, command.MessageId, sequence, command.Sender, command.Text, command.ReplyTo, now));
        return events;
    }

    /// <summary>
    /// A repeat of a message already stored changed nothing and is paced by nothing. A requester's message also takes
    /// the lock on their pending messages, so their messages across pending requests
    /// are counted one after the other (always after the conversation's lock, never before).
    /// </summary>
    public static async Task<Paced> Handle(SendMessage command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock,
        CancellationToken ct)
    {
        var stream = await session.Events.FetchForExclusiveWriting<Conversation>(command.ConversationId, ct);
        var conversation = await session.WithMessagesAsync(stream.Aggregate, [command.MessageId, command.ReplyTo], ct);
        IReadOnlyList<DateTimeOffset> sentWhilePending = [];
        if (IsPendingRequester(command, conversation, settings))
        {
            await RateLimitLock.AcquireAsync(session, "pending-messages", command.Sender, ct);
            sentWhilePending = await SentWhilePendingAsync(session, command.Sender, conversation!, clock.GetUtcNow() - settings.RateLimits.PendingMessages.Window, ct);
        }
        var now = clock.GetUtcNow();
        var throttle = Pace(command, conversation, sentWhilePending, settings, now);
        var events = Decide(command, conversation, throttle, settings, now);
        stream.AppendMany(events);
        var repeat = conversation?.Messages.ContainsKey(command.MessageId) == true;
        return new Paced(repeat ? null : throttle);
    }

    /// <summary>
    /// The sender's messages while awaiting answers: in the conversations they started and still await an answer in,
    /// and in this one (where they may have invited people without having started it).
    /// </summary>
    private static async Task<IReadOnlyList<DateTimeOffset>> SentWhilePendingAsync(IQuerySession session, string userId,
        Conversation current, DateTimeOffset since, CancellationToken ct)
    {
        var pending = await session.Query<Conversation>().Where(c => c.CreatedBy == userId && c.CreatorAwaitsAnswer).ToListAsync(ct);
        return pending.Where(c => c.Id != current.Id).Append(current)
            .SelectMany(c => c.SentAwaitingAnswer).Where(m => m.Author == userId && m.At > since).Select(m => m.At).ToList();
    }
}
