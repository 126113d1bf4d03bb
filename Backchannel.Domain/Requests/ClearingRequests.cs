using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Requests;

/// <summary>
/// Decline every request in these conversations that still waits for you. A conversation where you no longer have a
/// pending request (accepted or declined meanwhile) is skipped, so the command can be repeated safely.
/// </summary>
public sealed record DeclineAllRequests(string UserId, IReadOnlyList<string> ConversationIds)
{
    /// <summary>
    /// The input rules of <see cref="DeclineAllRequests"/>: Wolverine runs them before the handler, and a failure
    /// answers 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<DeclineAllRequests>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.ConversationIds).NotNull();
            RuleForEach(x => x.ConversationIds).MustBeId();
        }
    }
}

/// <summary>Decline every request in these conversations that still waits for you, and block everyone who sent one.</summary>
public sealed record BlockAllRequesters(string UserId, IReadOnlyList<string> ConversationIds)
{
    /// <summary>
    /// The input rules of <see cref="BlockAllRequesters"/>: Wolverine runs them before the handler, and a failure
    /// answers 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<BlockAllRequesters>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.ConversationIds).NotNull();
            RuleForEach(x => x.ConversationIds).MustBeId();
        }
    }
}

/// <summary>What a mass action did: how many requests it declined and how many people it blocked.</summary>
public sealed record RequestsCleared(int Declined, int Blocked);

/// <summary>
/// Each request gets the same decision, and so the same audit entry, as when declined or blocked one by one; all of
/// them in one transaction, so the inbox is cleared whole or not at all.
/// </summary>
public static class ClearingRequestsHandler
{
    /// <summary>The decisions on the conversations where the user has a pending request; the others are skipped.</summary>
    internal static IReadOnlyList<object> Decide(IEnumerable<Conversation?> conversations, string userId, bool block, DateTimeOffset now) =>
        conversations
            .Where(c => c?.MemberOf(userId) is { Status: MemberStatus.Pending })
            .Select(c => block
                ? (object)DecidingRequestsHandler.Decide(new BlockRequester(c!.Id, userId), c, now).Single()
                : DecidingRequestsHandler.Decide(new DeclineRequest(c!.Id, userId), c, now).Single())
            .ToList();

    /// <summary>Decides <see cref="DeclineAllRequests"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    public static async Task<RequestsCleared> Handle(DeclineAllRequests command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var decisions = await DecideAllAsync(session, command.UserId, command.ConversationIds, block: false, clock.GetUtcNow(), ct);
        return new RequestsCleared(decisions.Count, 0);
    }

    /// <summary>Decides <see cref="BlockAllRequesters"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    public static async Task<RequestsCleared> Handle(BlockAllRequesters command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var decisions = await DecideAllAsync(session, command.UserId, command.ConversationIds, block: true, now, ct);
        var blocks = await session.DecideForUserAsync(command.UserId, user => decisions.OfType<RequesterBlocked>()
            .DistinctBy(b => b.From)
            .SelectMany(b => BlockingHandler.Decide(new BlockUser(command.UserId, b.From), user, now)
                .Select(e => e is UserBlocked blocked ? blocked with { ConversationId = b.ConversationId } : e))
            .ToList(), ct);
        return new RequestsCleared(decisions.Count, blocks.OfType<UserBlocked>().Count());
    }

    /// <summary>Conversations are locked in id order, so two mass actions never wait on each other in a circle.</summary>
    private static async Task<IReadOnlyList<object>> DecideAllAsync(IDocumentSession session, string userId, IEnumerable<string> conversationIds,
        bool block, DateTimeOffset now, CancellationToken ct)
    {
        var streams = new WriteSet(session, e => e switch
        {
            RequestDeclined d => d.ConversationId,
            RequesterBlocked b => b.ConversationId,
            _ => throw new InvalidOperationException($"{e.GetType().Name} is not a decision on a request."),
        });
        var conversations = new List<Conversation?>();
        foreach (var id in conversationIds.Distinct().Order(StringComparer.Ordinal))
            conversations.Add(await streams.LockAsync<Conversation>(id, ct));
        return streams.Append(Decide(conversations, userId, block, now));
    }
}
