using System.Linq.Expressions;
using System.Text.Json;
using Backchannel.Domain.People;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Push;
using Backchannel.Projections.Rooms;
using Marten;
using Marten.Linq.MatchesSql;

namespace Backchannel.Projections.Privacy;

/// <summary>
/// A user's own data as one JSON document (<c>GET /me/export</c>), written as it is read: the store is read a page or
/// a row at a time and the output flushed whenever a little is pending, so a long history never sits in memory.
/// It holds what the user wrote and where they are, never more of anyone else than the user could read anyway.
/// </summary>
public static class Exporting
{
    /// <summary>Every conversation <paramref name="userId"/> was ever a member of, found from the index of the views' member ids.</summary>
    internal static Expression<Func<ConversationView, bool>> ConversationsOf(string userId) =>
        c => c.MatchesSql(MemberIdsOf("d.data") + " @> jsonb_build_array(?::text)", userId);

    /// <summary>
    /// The ids of a conversation view's members, from its JSON (<paramref name="data"/>), as their index is built: in
    /// words that Marten, comparing the configured index with PostgreSQL's account of it at every start, reads as the same
    /// (with a <c>::jsonpath</c> cast it saw a change, and would build the index again at each start).
    /// </summary>
    internal static string MemberIdsOf(string data) => $"jsonb_path_query_array(({data} -> 'members'), CAST('$[*].\"userId\"' AS jsonpath))";

    /// <summary>The index of the conversation views' member ids.</summary>
    internal const string MemberIdsIndex = "mt_doc_conversationview_idx_member_ids_gin";

    /// <summary>Bytes the writer holds before it flushes them to the output.</summary>
    public const int FlushAt = 16 * 1024;

    /// <summary>
    /// Writes <paramref name="userId"/>'s export to <paramref name="output"/>: <c>policy</c>, <c>following</c>,
    /// <c>blocked</c>; <c>conversations</c> they are in (as they may see them: a conversation they declined shows only
    /// their own status); <c>rooms</c> they were in, with their role; <c>events</c> they host; and <c>written</c>, every
    /// event carrying text they wrote (messages and each edit, thank-you notes, group names, questions, answers, room and
    /// event titles, reasons), oldest first, each as the API shows an event (<c>type</c>, <c>streamId</c>, <c>data</c>).
    /// </summary>
    /// <param name="store">Backchannel's store.</param>
    /// <param name="userId">Whose data.</param>
    /// <param name="output">Where to write; flushed as the export goes.</param>
    /// <param name="now">The export's time stamp.</param>
    /// <param name="pageSize">How many written events are read at a time.</param>
    /// <param name="ct">Cancels the export.</param>
    public static async Task WriteExportAsync(this IDocumentStore store, string userId, Stream output, DateTimeOffset now,
        int pageSize = 500, CancellationToken ct = default)
    {
        // Values are serialized to elements first: serializing straight into the writer flushes it synchronously, which
        // an HTTP response refuses.
        await using var json = new Utf8JsonWriter(output);
        await using var session = store.QuerySession();
        var api = FeedWriter.PayloadJson;

        json.WriteStartObject();
        json.WriteString("userId", userId);
        json.WriteString("exportedAt", now);
        var profile = await session.LoadAsync<UserProfile>(userId, ct) ?? UserProfile.Default(userId);
        json.WriteString("policy", JsonNamingPolicy.CamelCase.ConvertName(profile.Policy.ToString()));
        WriteStrings(json, "following", profile.Following.Order(StringComparer.Ordinal));
        WriteStrings(json, "blocked", profile.Blocked.Order(StringComparer.Ordinal));

        json.WriteStartArray("conversations");
        var conversations = session.Query<ConversationView>().Where(ConversationsOf(userId))
            .OrderBy(c => c.StartedAt).ToAsyncEnumerable(ct);
        await foreach (var view in conversations)
        {
            var me = view.MemberOf(userId)!;
            json.WriteStartObject();
            json.WriteString("conversationId", view.Id);
            json.WriteString("yourStatus", me.StatusSeenBy(userId));
            json.WriteString("since", me.Since);
            // What someone who may no longer see a conversation (declined, left, removed) could not read there now,
            // they do not get here either: only that they were in it.
            if (view.CanBeSeenBy(userId))
            {
                json.WritePropertyName("kind");
                JsonSerializer.SerializeToElement(view.Kind, api).WriteTo(json);
                json.WriteString("title", view.Title);
                json.WriteString("createdBy", view.CreatedBy);
                json.WriteString("roomId", view.RoomId);
                json.WriteString("eventId", view.EventId);
                json.WriteBoolean("muted", me.Muted);
                json.WriteStartArray("members");
                foreach (var member in view.Members.Where(m => m.UserId != userId && m.LooksPresentTo(userId)))
                {
                    json.WriteStartObject();
                    json.WriteString("userId", member.UserId);
                    json.WriteString("status", member.StatusSeenBy(userId));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            else
            {
                foreach (var hidden in (string[])["kind", "title", "createdBy", "roomId", "eventId", "muted", "members"]) json.WriteNull(hidden);
            }
            json.WriteEndObject();
            await FlushIfFullAsync(json, ct);
        }
        json.WriteEndArray();

        json.WriteStartArray("rooms");
        var rooms = session.Query<Participant>().Where(p => p.UserId == userId).OrderBy(p => p.JoinedAt).ToAsyncEnumerable(ct);
        await using (var titles = store.QuerySession())
        {
            await foreach (var participant in rooms)
            {
                var room = await titles.LoadAsync<RoomView>(participant.RoomId, ct);
                json.WriteStartObject();
                json.WriteString("roomId", participant.RoomId);
                json.WriteString("title", room?.Title);
                json.WritePropertyName("role");
                JsonSerializer.SerializeToElement(participant.Role, api).WriteTo(json);
                json.WriteBoolean("present", participant.Present);
                json.WriteString("joinedAt", participant.JoinedAt);
                json.WriteEndObject();
                await FlushIfFullAsync(json, ct);
            }
        }
        json.WriteEndArray();

        json.WriteStartArray("events");
        var events = session.Query<EventView>().Where(e => e.Hosts.Contains(userId)).OrderBy(e => e.StartsAt).ToAsyncEnumerable(ct);
        await foreach (var e in events)
        {
            json.WriteStartObject();
            json.WriteString("eventId", e.Id);
            json.WriteString("title", e.Title);
            json.WriteString("startsAt", e.StartsAt);
            json.WriteString("role", e.Host == userId ? "host" : "co_host");
            json.WriteBoolean("cancelled", e.Cancelled);
            json.WriteEndObject();
            await FlushIfFullAsync(json, ct);
        }
        json.WriteEndArray();

        json.WriteStartArray("written");
        await foreach (var (e, _) in Erasing.WrittenByAsync(store, userId, ct, pageSize))
        {
            json.WriteStartObject();
            json.WriteString("type", e.EventTypeName);
            json.WriteString("streamId", e.StreamKey);
            json.WritePropertyName("data");
            JsonSerializer.SerializeToElement(e.Data, e.Data.GetType(), api).WriteTo(json);
            json.WriteEndObject();
            await FlushIfFullAsync(json, ct);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    private static void WriteStrings(Utf8JsonWriter json, string name, IEnumerable<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values) json.WriteStringValue(value);
        json.WriteEndArray();
    }

    private static async ValueTask FlushIfFullAsync(Utf8JsonWriter json, CancellationToken ct)
    {
        if (json.BytesPending >= FlushAt) await json.FlushAsync(ct);
    }
}
