namespace Backchannel.Domain.Safety;

/// <summary>
/// A user's suspension, as decisions and views need it: an inline snapshot of the stream <see cref="StreamOf"/> the
/// user. It holds from <see cref="Since"/> until <see cref="Until"/>, or until lifted when that is null, and ends by
/// itself at <see cref="Until"/>: nothing is appended then, every reader compares with its clock.
/// </summary>
public sealed record Suspension(string Id, string UserId, bool Lifted, DateTimeOffset Since, DateTimeOffset? Until, string SuspendedBy)
{
    /// <summary>The stream of <paramref name="userId"/>'s suspensions: '/' is in no id a client may choose, nor in a handle.</summary>
    public static string StreamOf(string userId) => $"suspension/{userId}";

    /// <summary>Whether the suspension holds at <paramref name="now"/>.</summary>
    public bool HoldsAt(DateTimeOffset now) => !Lifted && Since <= now && (Until is null || Until > now);

    /// <summary>The first suspension of a user.</summary>
    public static Suspension Create(UserSuspended e) => new(StreamOf(e.UserId), e.UserId, false, e.At, e.Until, e.SuspendedBy);

    /// <summary>A later suspension replaces the one before, lifted, ended or not.</summary>
    public Suspension Apply(UserSuspended e) => this with { Lifted = false, Since = e.At, Until = e.Until, SuspendedBy = e.SuspendedBy };

    /// <summary>Lifted: it holds no more.</summary>
    public Suspension Apply(SuspensionLifted _) => this with { Lifted = true };
}

/// <summary>Reading suspensions.</summary>
public static class Suspensions
{
    /// <summary>Of these users, those whose suspension holds at <paramref name="now"/>.</summary>
    public static async Task<IReadOnlySet<string>> SuspendedAmongAsync(this Marten.IQuerySession session, IEnumerable<string> userIds,
        DateTimeOffset now, CancellationToken ct)
    {
        var ids = userIds.Distinct().Select(Suspension.StreamOf).ToArray();
        if (ids.Length == 0) return new HashSet<string>();
        var found = await session.LoadManyAsync<Suspension>(ct, ids);
        return found.Where(s => s is not null && s.HoldsAt(now)).Select(s => s.UserId).ToHashSet();
    }
}
