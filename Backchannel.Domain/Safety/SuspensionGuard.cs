using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Stage;
using Backchannel.Domain.Thanks;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Marten;
using Wolverine.Configuration;
using Wolverine.Runtime.Handlers;

namespace Backchannel.Domain.Safety;

/// <summary>
/// Every command a user writes with, and who the writing user is. A suspended user may read but not write, so each of
/// these is refused while they are suspended, in one place (<see cref="SuspensionPolicy"/>), before its handler
/// loads anything. A command handled in Backchannel must be here or in <see cref="NotWrittenByUsers"/>: a spec fails
/// the build of a command in neither.
/// </summary>
public static class WriteCommands
{
    /// <summary>Each user's command type, with the member that names the user who sends it.</summary>
    public static readonly IReadOnlyDictionary<Type, Func<object, string>> Actors = new Dictionary<Type, Func<object, string>>
    {
        [typeof(SetMessagePolicy)] = Of<SetMessagePolicy>(c => c.UserId),
        [typeof(FollowUser)] = Of<FollowUser>(c => c.UserId),
        [typeof(UnfollowUser)] = Of<UnfollowUser>(c => c.UserId),
        [typeof(BlockUser)] = Of<BlockUser>(c => c.UserId),
        [typeof(UnblockUser)] = Of<UnblockUser>(c => c.UserId),

        [typeof(RequestConversation)] = Of<RequestConversation>(c => c.From),
        [typeof(AcceptRequest)] = Of<AcceptRequest>(c => c.UserId),
        [typeof(DeclineRequest)] = Of<DeclineRequest>(c => c.UserId),
        [typeof(BlockRequester)] = Of<BlockRequester>(c => c.UserId),
        [typeof(ReportRequest)] = Of<ReportRequest>(c => c.UserId),
        [typeof(DeclineAllRequests)] = Of<DeclineAllRequests>(c => c.UserId),
        [typeof(BlockAllRequesters)] = Of<BlockAllRequesters>(c => c.UserId),
        [typeof(SendMessage)] = Of<SendMessage>(c => c.Sender),
        [typeof(EditMessage)] = Of<EditMessage>(c => c.Author),
        [typeof(DeleteMessage)] = Of<DeleteMessage>(c => c.Author),
        [typeof(ReactToMessage)] = Of<ReactToMessage>(c => c.UserId),
        [typeof(WithdrawReaction)] = Of<WithdrawReaction>(c => c.UserId),
        [typeof(ReportMessage)] = Of<ReportMessage>(c => c.ReportedBy),
        [typeof(MarkRead)] = Of<MarkRead>(c => c.UserId),
        [typeof(MuteConversation)] = Of<MuteConversation>(c => c.UserId),
        [typeof(LeaveConversation)] = Of<LeaveConversation>(c => c.UserId),
        [typeof(RenameGroup)] = Of<RenameGroup>(c => c.UserId),
        [typeof(AddMembers)] = Of<AddMembers>(c => c.UserId),
        [typeof(RemoveMember)] = Of<RemoveMember>(c => c.UserId),
        [typeof(SendThanks)] = Of<SendThanks>(c => c.From),

        [typeof(StartRoom)] = Of<StartRoom>(c => c.StartedBy),
        [typeof(JoinRoom)] = Of<JoinRoom>(c => c.UserId),
        [typeof(LeaveRoom)] = Of<LeaveRoom>(c => c.UserId),
        [typeof(EndRoom)] = Of<EndRoom>(c => c.UserId),
        [typeof(RaiseHand)] = Of<RaiseHand>(c => c.UserId),
        [typeof(LowerHand)] = Of<LowerHand>(c => c.UserId),
        [typeof(PromoteToStage)] = Of<PromoteToStage>(c => c.ModeratorId),
        [typeof(MoveToAudience)] = Of<MoveToAudience>(c => c.ModeratorId),
        [typeof(MakeModerator)] = Of<MakeModerator>(c => c.ModeratorId),
        [typeof(AskQuestion)] = Of<AskQuestion>(c => c.UserId),
        [typeof(UpvoteQuestion)] = Of<UpvoteQuestion>(c => c.UserId),
        [typeof(WithdrawUpvote)] = Of<WithdrawUpvote>(c => c.UserId),
        [typeof(ApproveQuestion)] = Of<ApproveQuestion>(c => c.UserId),
        [typeof(DismissQuestion)] = Of<DismissQuestion>(c => c.UserId),
        [typeof(ReopenQuestion)] = Of<ReopenQuestion>(c => c.UserId),
        [typeof(PinQuestion)] = Of<PinQuestion>(c => c.UserId),
        [typeof(UnpinQuestion)] = Of<UnpinQuestion>(c => c.UserId),
        [typeof(AnswerQuestion)] = Of<AnswerQuestion>(c => c.UserId),
        [typeof(MarkAnsweredLive)] = Of<MarkAnsweredLive>(c => c.UserId),

        [typeof(ScheduleEvent)] = Of<ScheduleEvent>(c => c.Host),
        [typeof(AddCoHost)] = Of<AddCoHost>(c => c.Host),
        [typeof(RemoveCoHost)] = Of<RemoveCoHost>(c => c.Host),
        [typeof(RescheduleEvent)] = Of<RescheduleEvent>(c => c.UserId),
        [typeof(CancelEvent)] = Of<CancelEvent>(c => c.UserId),
    };

    /// <summary>
    /// Commands this guard does not stand in front of: an operator's decisions, which a suspension of their handle does
    /// not stop, and an erasure, which a suspension leaves open to the user (the moderation record keeps what operators
    /// need without the user's words).
    /// </summary>
    public static readonly IReadOnlySet<Type> NotWrittenByUsers = new HashSet<Type>
    {
        typeof(DismissReport), typeof(RemoveReportedMessage), typeof(SuspendUser), typeof(LiftSuspension), typeof(Privacy.EraseUser),
    };

    private static Func<object, string> Of<T>(Func<T, string> actor) => command => actor((T)command);
}

/// <summary>
/// Puts <see cref="SuspensionGuard"/> in front of the handler of every command in <see cref="WriteCommands.Actors"/>,
/// after its validation, however the command arrives (HTTP or <c>IMessageBus</c>).
/// </summary>
public sealed class SuspensionPolicy : IHandlerPolicy
{
    /// <inheritdoc />
    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => WriteCommands.Actors.ContainsKey(c.MessageType) && !DecidedInThePipeline(c)))
        {
            var guard = typeof(SuspensionGuard).GetMethod(nameof(SuspensionGuard.RefuseIfSuspendedAsync))!.MakeGenericMethod(chain.MessageType);
            chain.Middleware.Add(new MethodCall(typeof(SuspensionGuard), guard));
        }
    }

    /// <summary>
    /// A handler that only hands its command to the <see cref="CommandPipeline"/> (it reads nothing itself): the pipeline
    /// checks the actor's suspension with the rest of its batch's reads, one round trip for all of them.
    /// </summary>
    internal static bool DecidedInThePipeline(HandlerChain chain) =>
        chain.Handlers.All(h => h.Method.GetParameters().Select(p => p.ParameterType).ToList() is var types
            && types.Contains(typeof(CommandPipeline)) && types.Contains(typeof(Wolverine.IMessageContext))
            && !types.Any(t => t.IsAssignableTo(typeof(IQuerySession))));
}

/// <summary>Refuses a suspended user's command: 403 <c>suspended</c>, with the suspension's end when it has one.</summary>
public static class SuspensionGuard
{
    /// <summary>The problem's extension that carries the end of the suspension (absent for one until lifted).</summary>
    public const string UntilExtension = "suspendedUntil";

    /// <summary>
    /// Reads the actor's suspension (one row by id) and throws when it holds now. The reason is the operator's and is
    /// not repeated to the user: it may name what was reported, and so who reported it.
    /// </summary>
    public static async Task RefuseIfSuspendedAsync<TCommand>(TCommand command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
        where TCommand : notnull
    {
        var actor = WriteCommands.Actors[typeof(TCommand)](command);
        if (!Rules.IsHandle(actor)) return;
        var suspension = await session.LoadAsync<Suspension>(Suspension.StreamOf(actor), ct);
        if (suspension is null || !suspension.HoldsAt(clock.GetUtcNow())) return;
        throw Suspended(suspension);
    }

    /// <summary>The refusal of a suspended user's command.</summary>
    public static RuleViolation Suspended(Suspension suspension) =>
        new(ViolationKind.Forbidden, "suspended", suspension.Until is { } until
            ? $"Your account is suspended until {until:O}: you can read, but not write."
            : "Your account is suspended until an operator lifts it: you can read, but not write.")
        {
            Extensions = suspension.Until is { } end ? new Dictionary<string, object?> { [UntilExtension] = end } : null,
        };
}
