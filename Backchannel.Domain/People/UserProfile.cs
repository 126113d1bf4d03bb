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
    public long Version { get; init; }

    /// <summary>
    /// Until when a refusal by the requests limit is already on record: further refusals before then are answered
    /// but not recorded again, so hammering on a limit cannot grow the store (<see cref="Requests.RequestQuota"/>).
    /// </summary>
    public DateTimeOffset? RateLimitRecordedUntil { get; init; }

    public static UserProfile Default(string id) => new(id, [], [], MessagePolicy.Everyone);

    public bool Follows(string userId) => Following.Contains(userId);

    public bool HasBlocked(string userId) => Blocked.Contains(userId);

    public static UserProfile Create(UserFollowed e) => Default(e.UserId).Apply(e);
    public static UserProfile Create(MessagePolicySet e) => Default(e.UserId).Apply(e);
    public static UserProfile Create(UserBlocked e) => Default(e.UserId).Apply(e);
    public static UserProfile Create(Requests.RequestSuppressedByPolicy e) => Default(e.From);
    public static UserProfile Create(Requests.RequestSuppressedByRateLimit e) => Default(e.From).Apply(e);

    public UserProfile Apply(UserFollowed e) => this with { Following = Following.Add(e.Followee) };
    public UserProfile Apply(UserUnfollowed e) => this with { Following = Following.Remove(e.Followee) };
    public UserProfile Apply(MessagePolicySet e) => this with { Policy = e.Policy };
    public UserProfile Apply(UserBlocked e) => this with { Blocked = Blocked.Add(e.Blocked) };
    public UserProfile Apply(UserUnblocked e) => this with { Blocked = Blocked.Remove(e.Unblocked) };
    public UserProfile Apply(Requests.RequestSuppressedByPolicy _) => this;
    public UserProfile Apply(Requests.RequestSuppressedByRateLimit e) =>
        RateLimitRecordedUntil >= e.RetryAt ? this : this with { RateLimitRecordedUntil = e.RetryAt };
}

/// <summary>Runs a decision on a user's stream; a user without a stream decides from <see cref="UserProfile.Default"/>.</summary>
internal static class UserStream
{
    public static Task<IReadOnlyList<object>> DecideForUserAsync(this Marten.IDocumentSession session, string userId,
        Func<UserProfile, IReadOnlyList<object>> decide, CancellationToken cancellation) =>
        session.DecideAsync<UserProfile>(userId, user => decide(user ?? UserProfile.Default(userId)), cancellation);
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
