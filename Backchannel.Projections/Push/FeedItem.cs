using System.Text.Json;

namespace Backchannel.Projections.Push;

/// <summary>
/// One change to the views of the users it names, as their push streams deliver it. <see cref="Position"/> is the
/// global sequence of the event that caused it: a user's items are delivered in that order, and a client resumes after
/// the last position it saw. An event gives each recipient at most one item, and one item serves every recipient who
/// is told the same thing (a message, told to each of its readers, is stored once).
/// </summary>
public sealed class FeedItem
{
    /// <summary>How many items one event may give: <see cref="IdOf"/> numbers them within it.</summary>
    public const int MaxItemsPerEvent = 1 << ItemBits;

    private const int ItemBits = 20;

    /// <summary>The document alias, so the table is <c>mt_doc_pushitem</c>: the earlier feed's table was another.</summary>
    internal const string Alias = "pushitem";

    /// <summary>
    /// <see cref="Position"/>, then the item's place among its event's items (<see cref="IdOf"/>): rebuilding the feed
    /// rewrites the same documents, and the ids sort as the feed does.
    /// </summary>
    public long Id { get; set; }
    /// <summary>Whose feeds the item is in: everyone told exactly this of the event, in the order they were routed.</summary>
    public string[] Recipients { get; set; } = [];
    /// <summary>The global sequence of the event that caused it: the feed's order and a client's resume point.</summary>
    public long Position { get; set; }
    /// <summary>The stream event's type: <c>conversation</c>, <c>message</c>, <c>read</c>, ... (see docs/api.md).</summary>
    public string Kind { get; set; } = "";
    /// <summary>The stream the change comes from (a conversation id): lets a client route it without parsing.</summary>
    public string StreamKey { get; set; } = "";
    /// <summary>When the event happened; retention prunes by it.</summary>
    public DateTimeOffset At { get; set; }
    /// <summary>The payload, already shaped for its recipients (what they may see, nothing more).</summary>
    public JsonElement Data { get; set; }

    /// <summary>The id of the <paramref name="index"/>th item (from 0) of the event at <paramref name="position"/>.</summary>
    internal static long IdOf(long position, int index) => index is >= 0 and < MaxItemsPerEvent
        ? (position << ItemBits) | (long)index
        : throw new InvalidOperationException($"An event gives at most {MaxItemsPerEvent} distinct push items; the event at {position} gave more.");
}
