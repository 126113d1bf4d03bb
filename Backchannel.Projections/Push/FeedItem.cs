using System.Text.Json;

namespace Backchannel.Projections.Push;

/// <summary>
/// One change to one user's views, as their push stream delivers it. <see cref="Position"/> is the global sequence
/// of the event that caused it: a user's items are delivered in that order, and a client resumes after the last
/// position it saw. An event gives each recipient at most one item, so (user, position) identifies an item.
/// </summary>
public sealed class FeedItem
{
    /// <summary><c>{userId}:{position}</c>: rebuilding the feed rewrites the same documents.</summary>
    public string Id { get; set; } = "";
    /// <summary>Whose feed the item is in.</summary>
    public string UserId { get; set; } = "";
    /// <summary>The global sequence of the event that caused it: the feed's order and a client's resume point.</summary>
    public long Position { get; set; }
    /// <summary>The stream event's type: <c>conversation</c>, <c>message</c>, <c>read</c>, ... (see docs/api.md).</summary>
    public string Kind { get; set; } = "";
    /// <summary>The stream the change comes from (a conversation id): lets a client route it without parsing.</summary>
    public string StreamKey { get; set; } = "";
    /// <summary>When the event happened; retention prunes by it.</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>The payload, already shaped for this user (what they may see, nothing more).</summary>
    public JsonElement Data { get; set; }

    internal static string IdOf(string userId, long position) => $"{userId}:{position}";
}
