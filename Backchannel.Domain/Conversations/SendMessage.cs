using Backchannel.Domain.Common;
using Backchannel.Domain.Requests;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

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

    /// <summary>Hands <see cref="SendMessage"/> to the <see cref="CommandPipeline"/>, which decides it with whatever else is waiting.</summary>
    [NonTransactional]
    public static Task<Paced> Handle(SendMessage command, CommandPipeline pipeline, BackchannelSettings settings, IMessageContext context,
        CancellationToken ct) =>
        pipeline.DecideAsync(new Sending(command, settings), context, ct);

    private const string PendingMessages = "pending-messages";

    /// <summary>
    /// <see cref="SendMessage"/> as the pipeline decides it. A repeat of a message already stored changed nothing and is
    /// paced by nothing. A requester's message also takes the lock on their pending messages, after every stream lock of
    /// its batch, so their messages across pending requests are counted one after the other.
    /// </summary>
    internal sealed class Sending(SendMessage command, BackchannelSettings settings) : Pipelined<Paced>
    {
        private string LockKey => RateLimitLock.Key(PendingMessages, command.Sender);

        public override IReadOnlyList<StreamRef> Streams { get; } = [StreamRef.Of<Conversation>(command.ConversationId)];

        public override IEnumerable<(string ConversationId, string MessageId)> Messages =>
            new[] { command.MessageId, command.ReplyTo }.OfType<string>().Select(m => (command.ConversationId, m));

        public override IEnumerable<string> Locks(Batch batch) =>
            IsPendingRequester(command, batch.State<Conversation>(command.ConversationId), settings) ? [LockKey] : [];

        /// <summary>The sender's pending conversations as committed, read once per batch under the sender's lock.</summary>
        public override async Task PrepareAsync(Batch batch, CancellationToken ct)
        {
            if (!batch.Holds(LockKey) || batch.Reads.ContainsKey(LockKey)) return;
            batch.Reads[LockKey] = await batch.Session.Query<Conversation>()
                .Where(c => c.CreatedBy == command.Sender && c.CreatorAwaitsAnswer).ToListAsync(ct);
        }

        public override Decided Decide(Batch batch, DateTimeOffset now)
        {
            var conversation = batch.State<Conversation>(command.ConversationId);
            IReadOnlyList<DateTimeOffset> sentWhilePending = [];
            if (IsPendingRequester(command, conversation, settings))
            {
                // Paced only after an earlier command of this batch changed the conversation: its lock was not taken.
                if (!batch.Holds(LockKey)) return Decided.Defer;
                sentWhilePending = SentWhilePending(batch, conversation!, now - settings.RateLimits.PendingMessages.Window);
            }
            var throttle = Pace(command, conversation, sentWhilePending, settings, now);
            var events = SendMessageHandler.Decide(command, conversation, throttle, settings, now);
            var repeat = conversation?.Messages.ContainsKey(command.MessageId) == true;
            return new Decided(events, new Paced(repeat ? null : throttle));
        }

        /// <summary>
        /// The sender's messages while awaiting answers: in the conversations they started and still await an answer in,
        /// and in this one (where they may have invited people without having started it). The conversations of this
        /// batch count as the batch left them, the others as committed.
        /// </summary>
        private IReadOnlyList<DateTimeOffset> SentWhilePending(Batch batch, Conversation current, DateTimeOffset since)
        {
            var userId = command.Sender;
            var inBatch = batch.States<Conversation>().ToDictionary(c => c.Id, StringComparer.Ordinal);
            var committed = (IReadOnlyList<Conversation>)batch.Reads[LockKey];
            return committed.Where(c => !inBatch.ContainsKey(c.Id))
                .Concat(inBatch.Values.Where(c => c.CreatedBy == userId && c.CreatorAwaitsAnswer))
                .Where(c => c.Id != current.Id).Append(current)
                .SelectMany(c => c.SentAwaitingAnswer).Where(m => m.Author == userId && m.At > since).Select(m => m.At).ToList();
        }
    }
}
