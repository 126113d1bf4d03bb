using System.Collections.Immutable;
using Backchannel.Domain.Common;

namespace Backchannel.Domain.People;

/// <summary>
/// A user's place in the social graph, as decisions need it: whom they follow, whom they blocked, their policy.
/// Stored as an inline snapshot of the user's stream. A user with no stream is <see cref="Default"/>.
/// </summary>
public sealed record UserProfile(
    string Id,
    ImmutableHashSet<string> Following,
    ImmutableHashSet<string> Blocked,
    MessagePolicy Policy)
{
    /// <summary>The stream version this snapshot was folded up to (Marten keeps it).</summary>
    public long Version { get; init; }

    /// <summary>
    /// Until when a refusal by the requests limit is already on record: further refusals before then are answered
    /// but not recorded again, so hammering on a limit cannot grow the store (<see cref="Requests.RequestQuota"/>).
    /// </summary>
    public DateTimeOffset? RateLimitRecordedUntil { get; init; }

    /// <summary>The state of a user who has done nothing yet: follows and blocks nobody, accepts requests from everyone.</summary>
    public static UserProfile Default(string id) => new(id, [], [], MessagePolicy.Everyone);

    /// <summary>Whether this user follows <paramref name="userId"/>.</summary>
    public bool Follows(string userId) => Following.Contains(userId);

    /// <summary>Whether this user has blocked <paramref name="userId"/>.</summary>
    public bool HasBlocked(string userId) => Blocked.Contains(userId);

    /// <summary>Starts this state from <see cref="UserFollowed"/> (Marten calls it to keep the snapshot).</summary>
    public static UserProfile Create(UserFollowed e) => Default(e.UserId).Apply(e);
    /// <summary>Starts this state from <see cref="MessagePolicySet"/> (Marten calls it to keep the snapshot).</summary>
    public static UserProfile Create(MessagePolicySet e) => Default(e.UserId).Apply(e);
    /// <summary>Starts this state from <see cref="UserBlocked"/> (Marten calls it to keep the snapshot).</summary>
    public static UserProfile Create(UserBlocked e) => Default(e.UserId).Apply(e);
    /// <summary>Starts this state from <see cref="Requests.RequestSuppressedByPolicy"/> (Marten calls it to keep the snapshot).</summary>
    public static UserProfile Create(Requests.RequestSuppressedByPolicy e) => Default(e.From);
    /// <summary>Starts this state from <see cref="Requests.RequestSuppressedByRateLimit"/> (Marten calls it to keep the snapshot).</summary>
    public static UserProfile Create(Requests.RequestSuppressedByRateLimit e) => Default(e.From).Apply(e);

    /// <summary>Folds <see cref="UserFollowed"/> (Marten calls it to keep the snapshot).</summary>
    public UserProfile Apply(UserFollowed e) => this with { Following = Following.Add(e.Followee) };
    /// <summary>Folds <see cref="UserUnfollowed"/> (Marten calls it to keep the snapshot).</summary>
    public UserProfile Apply(UserUnfollowed e) => this with { Following = Following.Remove(e.Followee) };
    /// <summary>Folds <see cref="MessagePolicySet"/> (Marten calls it to keep the snapshot).</summary>
    public UserProfile Apply(MessagePolicySet e) => this with { Policy = e.Policy };
    /// <summary>Folds <see cref="UserBlocked"/> (Marten calls it to keep the snapshot).</summary>
    public UserProfile Apply(UserBlocked e) => this with { Blocked = Blocked.Add(e.Blocked) };
    /// <summary>Folds <see cref="UserUnblocked"/> (Marten calls it to keep the snapshot).</summary>
    public UserProfile Apply(UserUnblocked e) => this with { Blocked = Blocked.Remove(e.Unblocked) };
    /// <summary>Folds <see cref="Requests.RequestSuppressedByPolicy"/>: a refusal on record changes nothing the user decides by.</summary>
    public UserProfile Apply(Requests.RequestSuppressedByPolicy _) => this;
    /// <summary>Folds <see cref="Requests.RequestSuppressedByRateLimit"/>: remembers until when the refusal is on record.</summary>
    public UserProfile Apply(Requests.RequestSuppressedByRateLimit e) =>
        RateLimitRecordedUntil >= e.RetryAt ? this : this with { RateLimitRecordedUntil = e.RetryAt };
}

/// <summary>Runs a decision on a user's stream; a user without a stream decides from <see cref="UserProfile.Default"/>.</summary>
internal static class UserStream
{
    public static Task<IReadOnlyList<object>> DecideForUserAsync(this Marten.IDocumentSession session, string userId,
        Func<UserProfile, IReadOnlyList<object>> decide, CancellationToken cancellation) =>
        session.DecideAsync<UserProfile>(userId, user => decide(user ?? UserProfile.Default(userId)), cancellation);

    /// <summary>The same decision through the <see cref="CommandPipeline"/>.</summary>
    public static Task<IReadOnlyList<object>> DecideForUserAsync(this CommandPipeline pipeline, string userId,
        Func<UserProfile, IReadOnlyList<object>> decide, Wolverine.IMessageContext context, CancellationToken cancellation) =>
        pipeline.DecideAsync<UserProfile>(userId, user => decide(user ?? UserProfile.Default(userId)), context, cancellation);
}

internal static class UserProfiles
{
    /// <summary>The profiles of these users, each <see cref="UserProfile.Default"/> when it has no stream yet.</summary>
    public static async Task<IReadOnlyDictionary<string, UserProfile>> LoadProfilesAsync(this Marten.IQuerySession session,
        IReadOnlyList<string> userIds, CancellationToken cancellation)
    {
        var stored = await session.LoadManyAsync<UserProfile>(cancellation, userIds.Distinct());
        var byId = stored.Where(p => p is not null).ToDictionary(p => p.Id);
        return userIds.Distinct().ToDictionary(id => id, id => byId.GetValueOrDefault(id) ?? UserProfile.Default(id));
    }
}
