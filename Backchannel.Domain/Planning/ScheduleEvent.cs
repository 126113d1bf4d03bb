using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Planning;

/// <summary>
/// Schedule an event with co-hosts. The host and co-hosts get a planning conversation linked to the event. A co-host
/// must follow the host: nobody is put into a conversation by someone they have not chosen to hear from.
/// </summary>
public sealed record ScheduleEvent(
    string EventId, string PlanningConversationId, string Host, string Title, DateTimeOffset StartsAt, IReadOnlyList<string> CoHosts)
{
    /// <summary>In UTC whatever offset it was given with: PostgreSQL's <c>timestamptz</c> parameters take no other.</summary>
    public DateTimeOffset StartsAt { get; init => field = value.ToUniversalTime(); } = StartsAt.ToUniversalTime();

    /// <summary>
    /// The input rules of <see cref="ScheduleEvent"/>: Wolverine runs them before the handler, and a failure answers
    /// 400 naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<ScheduleEvent>
    {
        /// <summary>Declares the rules; FluentValidation resolves the arguments from the container.</summary>
        public Validator(BackchannelSettings settings, TimeProvider clock)
        {
            RuleFor(x => x.EventId).MustBeNewStreamId();
            RuleFor(x => x.PlanningConversationId).MustBeNewStreamId().NotEqual(x => x.EventId);
            RuleFor(x => x.Host).MustBeHandle();
            RuleFor(x => x.Title).MustBeTitle();
            RuleFor(x => x.StartsAt).MustBeInTheFuture(clock);
            RuleFor(x => x.CoHosts).MustBeCoHosts(settings);
            RuleForEach(x => x.CoHosts).MustBeHandle().NotEqual(x => x.Host).WithMessage("You host the event already.");
        }
    }
}

/// <summary>
/// What <see cref="ScheduleEvent"/> started: the event and its planning conversation, and how close the host is to the
/// limit (refused: nothing started).
/// </summary>
public sealed record EventPlanned(string EventId, string PlanningConversationId, Throttle? Throttle = null);

/// <summary>
/// Wolverine's handler of <see cref="ScheduleEvent"/>: loads the state, runs the pure decision and appends its events.
/// Public only because Wolverine discovers public handler types; send the commands through <c>IMessageBus</c> instead
/// of calling it.
/// </summary>
public static class ScheduleEventHandler
{
    /// <summary>An event over the rate limit is not scheduled, and nothing is recorded of it.</summary>
    internal static IReadOnlyList<object> Decide(ScheduleEvent command, UserProfile host, IReadOnlyList<UserProfile> coHosts, Throttle throttle,
        DateTimeOffset now)
    {
        foreach (var coHost in coHosts) CoHosting.RequireWillingCoHost(host, coHost);
        if (throttle.Refused) return [];
        return
        [
            new EventScheduled(command.EventId, command.Title, command.Host, command.StartsAt, command.CoHosts,
                command.PlanningConversationId, now),
            new ConversationStarted(command.PlanningConversationId, ConversationKind.Planning, command.Host, null, command.EventId, now),
            .. command.CoHosts.Select(c => new MemberJoinedByRole(command.PlanningConversationId, c, MembershipRoles.CoHost, now)),
        ];
    }

    /// <summary>
    /// Decides <see cref="ScheduleEvent"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    public static async Task<EventPlanned> Handle(ScheduleEvent command, IDocumentSession session, BackchannelSettings settings, TimeProvider clock,
        CancellationToken ct)
    {
        var streams = new WriteSet(session);
        if (await streams.LockAsync<PlannedEvent>(command.EventId, ct, "eventId") is not null)
            throw RuleViolation.Conflict("event_exists", "An event with this id exists already.", "eventId");
        if (await streams.LockAsync<Conversation>(command.PlanningConversationId, ct, "planningConversationId") is not null)
            throw RuleViolation.Conflict("conversation_exists", "A conversation with this id exists already.", "planningConversationId");
        var profiles = await session.LoadProfilesAsync([command.Host, .. command.CoHosts], ct);
        var now = clock.GetUtcNow();
        var throttle = await CreationQuota.CheckAsync(session, ConversationKind.Planning, settings.RateLimits.EventsScheduled, command.Host,
            settings, now, ct);
        streams.Append(Decide(command, profiles[command.Host], command.CoHosts.Select(c => profiles[c]).ToList(), throttle, now));
        return new EventPlanned(command.EventId, command.PlanningConversationId, throttle);
    }
}

/// <summary>The rules of who may co-host, shared by scheduling and adding co-hosts.</summary>
internal static class CoHosting
{
    /// <summary>A co-host joins the planning conversation without a request, so they must follow the host.</summary>
    public static void RequireWillingCoHost(UserProfile host, UserProfile coHost)
    {
        if (Admission.Decide(host, coHost) != AdmissionVerdict.AdmittedAutomatically)
            throw RuleViolation.Forbidden("co_host_must_follow_you", $"{coHost.Id} does not follow you, so cannot be made co-host.", "coHosts");
    }

    public static IRuleBuilderOptions<T, IReadOnlyList<string>> MustBeCoHosts<T>(this IRuleBuilderInitial<T, IReadOnlyList<string>> rule,
        BackchannelSettings settings) =>
        rule.Cascade(CascadeMode.Stop).NotNull()
            .Must(c => c.Count <= settings.MaxGroupMembers - 1)
            .WithMessage($"An event has at most {settings.MaxGroupMembers - 1} co-hosts.")
            .Must(c => c.Distinct().Count() == c.Count).WithMessage("Each co-host must be named once.");

    public static IRuleBuilderOptions<T, DateTimeOffset> MustBeInTheFuture<T>(this IRuleBuilder<T, DateTimeOffset> rule, TimeProvider clock) =>
        rule.Must(at => at > clock.GetUtcNow()).WithMessage("'{PropertyName}' must be in the future.");
}
