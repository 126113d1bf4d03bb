using Backchannel.Domain.Safety;
using System.Text.Json;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Requests;

/// <summary>
/// Decline every request that waits for you. The command finds them itself, in the conversations' own state; a request
/// decided meanwhile (accepted or declined) is skipped, so the command can be repeated safely.
/// </summary>
public sealed record DeclineAllRequests(string UserId)
{
    /// <summary>
    /// The input rules of <see cref="DeclineAllRequests"/>: Wolverine runs them before the handler, and a failure
    /// answers 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<DeclineAllRequests>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RuleFor(x => x.UserId).MustBeHandle();
    }
}

/// <summary>Decline every request that waits for you, and block everyone who sent one.</summary>
public sealed record BlockAllRequesters(string UserId)
{
    /// <summary>
    /// The input rules of <see cref="BlockAllRequesters"/>: Wolverine runs them before the handler, and a failure
    /// answers 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<BlockAllRequesters>
    {
        /// <summary>Declares the rules.</summary>
        public Validator() => RuleFor(x => x.UserId).MustBeHandle();
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
        var decisions = await DecideAllAsync(session, command.UserId, block: false, clock.GetUtcNow(), ct);
        return new RequestsCleared(decisions.Count, 0);
    }

    /// <summary>Decides <see cref="BlockAllRequesters"/> on the current state and appends the events, or throws a <see cref="Common.RuleViolation"/> and appends nothing.</summary>
    public static async Task<RequestsCleared> Handle(BlockAllRequesters command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var decisions = await DecideAllAsync(session, command.UserId, block: true, now, ct);
        var blocks = await session.DecideForUserAsync(command.UserId, user => decisions.OfType<RequesterBlocked>()
            .DistinctBy(b => b.From)
            .SelectMany(b => BlockingHandler.Decide(new BlockUser(command.UserId, b.From), user, now)
                .Select(e => e is UserBlocked blocked ? blocked with { ConversationId = b.ConversationId } : e))
            .ToList(), ct);
        return new RequestsCleared(decisions.Count, blocks.OfType<UserBlocked>().Count());
    }

    /// <summary>
    /// The conversations where the user has a request waiting, locked in id order (so two mass actions never wait on
    /// each other in a circle) and decided on the state each holds once locked.
    /// </summary>
    private static async Task<IReadOnlyList<object>> DecideAllAsync(IDocumentSession session, string userId, bool block, DateTimeOffset now,
        CancellationToken ct)
    {
        var streams = new WriteSet(session);
        var conversations = new List<Conversation?>();
        foreach (var id in (await PendingRequestsOfAsync(session, userId, now, ct)).Order(StringComparer.Ordinal))
            conversations.Add(await streams.LockAsync<Conversation>(id, ct));
        return streams.Append(Decide(conversations, userId, block, now));
    }

    /// <summary>
    /// The ids of the conversations whose state has the user pending, read from the decisions' own snapshots (a
    /// containment query, which a GIN index on the snapshots' JSON answers without reading every conversation), but
    /// those of a requester suspended at <paramref name="now"/>: what the requests inbox shows is what is cleared.
    /// </summary>
    private static async Task<IReadOnlyList<string>> PendingRequestsOfAsync(IQuerySession session, string userId, DateTimeOffset now,
        CancellationToken ct)
    {
        var pending = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["members"] = new Dictionary<string, object> { [userId] = new Dictionary<string, string> { ["status"] = nameof(MemberStatus.Pending) } },
        });
        var conversations = await session.QueryAsync<Conversation>("where data @> ?::jsonb", ct, pending);
        var suspended = await session.SuspendedAmongAsync(conversations.Select(c => c.MemberOf(userId)?.InvitedBy).OfType<string>(), now, ct);
        return conversations.Where(c => c.MemberOf(userId)?.InvitedBy is not { } requester || !suspended.Contains(requester)).Select(c => c.Id).ToList();
    }
}
