using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using FluentValidation;
using Backchannel.Domain.Safety;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Requests;

/// <summary>Accept a request: the conversation moves to your inbox. Accepting twice is a no-op.</summary>
public sealed record AcceptRequest(string ConversationId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="AcceptRequest"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<AcceptRequest>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
        }
    }
}

/// <summary>Decline a request: it disappears for you; the requester is not told and sees nothing change.</summary>
public sealed record DeclineRequest(string ConversationId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="DeclineRequest"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<DeclineRequest>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
        }
    }
}

/// <summary>Decline a request and block its sender: their further requests are suppressed silently.</summary>
public sealed record BlockRequester(string ConversationId, string UserId)
{
    /// <summary>
    /// The input rules of <see cref="BlockRequester"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<BlockRequester>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
        }
    }
}

/// <summary>Decline a request and report it to trust and safety, with an optional reason.</summary>
public sealed record ReportRequest(string ConversationId, string UserId, string? Reason)
{
    /// <summary>
    /// The input rules of <see cref="ReportRequest"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<ReportRequest>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Reason).MustBeReason();
        }
    }
}

/// <summary>
/// Wolverine's handler of <see cref="AcceptRequest"/>, <see cref="DeclineRequest"/>, <see cref="ReportRequest"/>, <see
/// cref="BlockRequester"/>: loads the state, runs the pure decision and appends its events. Public only because
/// Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class DecidingRequestsHandler
{
    internal static IReadOnlyList<object> Decide(AcceptRequest command, Conversation? conversation, DateTimeOffset now)
    {
        var member = conversation.RequireVisible(command.UserId);
        return member.Status == MemberStatus.Active
            ? []
            : [new RequestAccepted(conversation.Id, member.InvitedBy!, command.UserId, ByReplying: false, now)];
    }

    internal static IReadOnlyList<object> Decide(DeclineRequest command, Conversation? conversation, DateTimeOffset now)
    {
        var member = RequirePending(conversation, command.UserId);
        return [new RequestDeclined(conversation.Id, member.InvitedBy!, command.UserId, now)];
    }

    internal static IReadOnlyList<object> Decide(BlockRequester command, Conversation? conversation, DateTimeOffset now)
    {
        var member = RequirePending(conversation, command.UserId);
        return [new RequesterBlocked(conversation.Id, member.InvitedBy!, command.UserId, now)];
    }

    internal static IReadOnlyList<object> Decide(ReportRequest command, Conversation? conversation, DateTimeOffset now)
    {
        var member = RequirePending(conversation, command.UserId);
        return [new RequestReported(conversation.Id, member.InvitedBy!, command.UserId, command.Reason, now)];
    }

    /// <summary>Once in a conversation, you leave it rather than decline it.</summary>
    private static Member RequirePending([System.Diagnostics.CodeAnalysis.NotNull] Conversation? conversation, string userId)
    {
        var member = conversation.RequireVisible(userId);
        if (member.Status != MemberStatus.Pending)
            throw RuleViolation.Conflict("request_not_pending", "There is no pending request for you here: leave the conversation instead.");
        return member;
    }

    /// <summary>
    /// Decides <see cref="AcceptRequest"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(AcceptRequest command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="DeclineRequest"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(DeclineRequest command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>Paced by the reporting limit (<see cref="Safety.ReportQuota"/>): 429 past it, and the request stays pending.</summary>
    public static Task<Paced> Handle(ReportRequest command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return session.DecidePacedAsync(command.ConversationId, [], command.UserId, settings, now, c => Decide(command, c, now), ct);
    }

    /// <summary>The decline and the block are one transaction: the conversation's stream and the recipient's own.</summary>
    public static async Task Handle(BlockRequester command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var decided = await session.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, now), ct);
        var requester = ((RequesterBlocked)decided[0]).From;
        await session.DecideForUserAsync(command.UserId,
            user => BlockingHandler.Decide(new BlockUser(command.UserId, requester), user, now)
                .Select(e => e is UserBlocked blocked ? blocked with { ConversationId = command.ConversationId } : e).ToList(),
            ct);
    }
}
