using Backchannel.Domain.Common;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using FluentValidation;
using Marten;

namespace Backchannel.Domain.Conversations;

/// <summary>Give a group a name (any member).</summary>
public sealed record RenameGroup(string ConversationId, string UserId, string Title)
{
    public sealed class Validator : AbstractValidator<RenameGroup>
    {
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
    public sealed class Validator : AbstractValidator<AddMembers>
    {
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
    public sealed class Validator : AbstractValidator<RemoveMember>
    {
        public Validator()
        {
            RuleFor(x => x.ConversationId).MustBeId();
            RuleFor(x => x.UserId).MustBeHandle();
            RuleFor(x => x.Member).MustBeHandle().NotEqual(x => x.UserId).WithMessage("Leave the group instead of removing yourself.");
        }
    }
}

/// <summary>What became of <see cref="AddMembers"/>: done, or refused by these invitees' policy (then nobody was added).</summary>
public sealed record MembersAdded(IReadOnlyList<string> RefusedBy);

public static class GroupsHandler
{
    /// <summary>Giving the name it already has is a no-op.</summary>
    public static IReadOnlyList<object> Decide(RenameGroup command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        conversation.RequireGroup();
        return conversation.Title == command.Title ? [] : [new GroupRenamed(conversation.Id, command.UserId, command.Title, now)];
    }

    /// <summary>People already in the group, or with a request waiting, are skipped.</summary>
    public static Invitation Decide(AddMembers command, Conversation? conversation, UserProfile inviter,
        IReadOnlyList<UserProfile> invitees, BackchannelSettings settings, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        conversation.RequireGroup();
        var newcomers = invitees.Where(p => conversation.MemberOf(p.Id) is not { CanSee: true }).ToList();
        var present = conversation.Members.Values.Count(m => m.CanSee);
        if (present + newcomers.Count > settings.MaxGroupMembers)
            throw RuleViolation.Conflict("group_full", $"A group has at most {settings.MaxGroupMembers} members.", "newMembers");
        return Admission.Invite(conversation.Id, inviter, newcomers, now);
    }

    /// <summary>Removing someone who is no longer there is a no-op.</summary>
    public static IReadOnlyList<object> Decide(RemoveMember command, Conversation? conversation, DateTimeOffset now)
    {
        conversation.RequireActive(command.UserId);
        conversation.RequireGroup();
        if (conversation.CreatedBy != command.UserId)
            throw RuleViolation.Forbidden("not_the_creator", "Only the group's creator may remove members.");
        var member = conversation.MemberOf(command.Member)
            ?? throw RuleViolation.NotFound("member_not_found", "No such member in this group.", "member");
        return member.CanSee ? [new MemberRemoved(conversation.Id, command.Member, command.UserId, now)] : [];
    }

    public static Task Handle(RenameGroup command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), ct);

    public static Task Handle(RemoveMember command, IDocumentSession session, TimeProvider clock, CancellationToken ct) =>
        session.DecideAsync<Conversation>(command.ConversationId, c => Decide(command, c, clock.GetUtcNow()), ct);

    public static async Task<MembersAdded> Handle(AddMembers command, IDocumentSession session, BackchannelSettings settings,
        TimeProvider clock, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Conversation>(command.ConversationId, ct);
        var inviter = (await session.Events.FetchForWriting<UserProfile>(command.UserId, ct)).RequireOwnKind();
        var invitees = await session.LoadProfilesAsync(command.NewMembers, ct);
        var invitation = Decide(command, stream.Aggregate, inviter.Aggregate ?? UserProfile.Default(command.UserId),
            command.NewMembers.Select(m => invitees[m]).ToList(), settings, clock.GetUtcNow());
        if (invitation.Refused)
            inviter.AppendMany(invitation.Refusals);
        else
            stream.AppendMany(invitation.ConversationEvents);
        return new MembersAdded(invitation.RefusedBy);
    }
}
