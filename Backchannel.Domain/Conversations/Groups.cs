using Backchannel.Domain.Common;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using FluentValidation;
using Marten;
using Wolverine;
using Wolverine.Attributes;

namespace Backchannel.Domain.Conversations;

/// <summary>Give a group a name (any member).</summary>
public sealed record RenameGroup(string ConversationId, string UserId, string Title)
{
    /// <summary>
    /// The input rules of <see cref="RenameGroup"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<RenameGroup>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Title).MustBeTitle();
        }
    }
}

/// <summary>
/// Invite people to a group (any member). Each decides like the recipient of a new conversation, relative to the
/// member who invites them; one refusal by policy refuses the whole invitation.
/// </summary>
public sealed record AddMembers(string ConversationId, string UserId, IReadOnlyList<string> NewMembers)
{
    /// <summary>
    /// The input rules of <see cref="AddMembers"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<AddMembers>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.NewMembers).Cascade(CascadeMode.Stop).NotNull().NotEmpty()
                .Must(m => m.Distinct().Count() == m.Count).WithMessage("Each new member must be named once.");
            RuleForEach(x => x.NewMembers).MustBeHandle();
        }
    }
}

/// <summary>Remove a member from a group: its creator only.</summary>
public sealed record RemoveMember(string ConversationId, string UserId, string Member)
{
    /// <summary>
    /// The input rules of <see cref="RemoveMember"/>: Wolverine runs them before the handler, and a failure answers 400
    /// naming the field.
    /// </summary>
    public sealed class Validator : AbstractValidator<RemoveMember>
    {
        /// <summary>Declares the rules.</summary>
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Member).MustBeHandle().NotEqual(x => x.UserId).WithMessage("Leave the group instead of removing yourself.");
        }
    }
}

/// <summary>
/// What became of <see cref="AddMembers"/>: done, refused by these invitees' policy (then nobody was added), or refused
/// by the requests limit (<see cref="Throttle"/> says when to retry).
/// </summary>
public sealed record MembersAdded(IReadOnlyList<string> RefusedBy, Throttle? Throttle = null);

/// <summary>
/// Wolverine's handler of <see cref="RenameGroup"/>, <see cref="RemoveMember"/>, <see cref="AddMembers"/>: loads the
/// state, runs the pure decision and appends its events. Public only because Wolverine discovers public handler types;
/// send the commands through <c>IMessageBus</c> instead of calling it.
/// </summary>
public static class GroupsHandler
{
    /// <summary>Giving the name it already has is a no-op.</summary>
    internal static IReadOnlyList<object> Decide(RenameGroup command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        conversation.RequireGroup();
        return conversation.Title == command.Title ? [] : [new GroupRenamed(conversation.Id, command.UserId, command.Title, now)];
    }

    /// <summary>
    /// People already in the group, or looking invited to its members (a request waiting, or one declined, blocked,
    /// reported or suppressed), are skipped and count towards its size: to everyone but the person concerned, a
    /// decline looks like a request still waiting. Someone removed after turning the group down is suppressed when
    /// invited again: the request never comes back to them, and the inviter sees it as sent.
    /// </summary>
    internal static Invitation Decide(AddMembers command, Conversation? conversation, UserProfile inviter,
        IReadOnlyList<UserProfile> invitees, BackchannelSettings settings, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        conversation.RequireGroup();
        var newcomers = invitees.Where(p => conversation.MemberOf(p.Id) is not { LooksPresent: true }).ToList();
        var present = conversation.Members.Values.Count(m => m.LooksPresent);
        if (present + newcomers.Count > settings.MaxGroupMembers)
            throw RuleViolation.Conflict("group_full", $"A group has at most {settings.MaxGroupMembers} members.", "newMembers");
        var invitation = Admission.Invite(conversation.Id, inviter, newcomers, now);
        return invitation with
        {
            ConversationEvents = invitation.ConversationEvents.Select(e => e is RequestSent sent && conversation.MemberOf(sent.To) is { TurnedDown: true }
                ? new RequestSuppressed(sent.ConversationId, sent.From, sent.To, AdmissionRules.TurnedDownBefore, sent.At)
                : e).ToList(),
        };
    }

    /// <summary>
    /// Removing someone who is no longer there is a no-op. Someone who declined, blocked, reported or was suppressed
    /// is removed exactly like someone whose request still waits, since the creator may not tell them apart.
    /// </summary>
    internal static IReadOnlyList<object> Decide(RemoveMember command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        conversation.RequireGroup();
        if (conversation.CreatedBy != command.UserId)
            throw RuleViolation.Forbidden("not_the_creator", "Only the group's creator may remove members.");
        var member = conversation.MemberOf(command.Member)
            ?? throw RuleViolation.NotFound("member_not_found", "No such member in this group.", "member");
        return member.LooksPresent ? [new MemberRemoved(conversation.Id, command.Member, command.UserId, now)] : [];
    }

    /// <summary>
    /// Decides <see cref="RenameGroup"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(RenameGroup command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Decides <see cref="RemoveMember"/> on the current state and appends the events, or throws a <see
    /// cref="Common.RuleViolation"/> and appends nothing.
    /// </summary>
    [NonTransactional]
    public static Task Handle(RemoveMember command, CommandPipeline pipeline, TimeProvider clock, IMessageContext context, CancellationToken ct) =>
        pipeline.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), context, ct);

    /// <summary>
    /// Strangers invited count against the requests limit like the recipients of a new conversation, under the same
    /// lock; an invitation over the limit adds nobody, is recorded on the inviter's stream and answered 429.
    /// </summary>
    public static async Task<MembersAdded> Handle(AddMembers command, IDocumentSession session, BackchannelSettings settings,
        TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForExclusiveWriting<Conversation>(command.ConversationId, ct);
        var inviter = (await session.Events.FetchForWriting<UserProfile>(command.UserId, ct)).RequireOwnKind();
        var invitees = await session.LoadProfilesAsync(command.NewMembers, ct);
        var now = clock.GetUtcNow();
        var profile = inviter.Aggregate ?? UserProfile.Default(command.UserId);
        var invitation = Decide(command, stream.Aggregate, profile, command.NewMembers.Select(m => invitees[m]).ToList(), settings, now);
        if (invitation.Refused)
        {
            inviter.AppendMany(invitation.Refusals);
            return new MembersAdded(invitation.RefusedBy);
        }
        if (invitation.StrangersReached == 0)
        {
            stream.AppendMany(invitation.ConversationEvents);
            return new MembersAdded([]);
        }

        var throttle = await RequestQuota.CheckAsync(session, command.UserId, settings, now, invitation.StrangersReached, ct);
        if (throttle.Refused)
            inviter.AppendMany(RequestQuota.Suppressions(command.ConversationId, profile, invitation.Strangers, throttle, now));
        else
            stream.AppendMany(invitation.ConversationEvents);
        return new MembersAdded([], throttle);
    }
}
