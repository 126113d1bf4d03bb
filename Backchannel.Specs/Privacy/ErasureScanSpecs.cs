using System.Text.Json;
using Backchannel.Domain.Privacy;
using Backchannel.Domain.Safety;
using Backchannel.Projections;
using Backchannel.Projections.Privacy;
using Backchannel.Projections.Safety;
using Backchannel.Specs.Support;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Privacy;

/// <summary>
/// The class of erasure, not an instance: a user who did everything a user can (wrote, requested, reported, was
/// reported, asked, answered, thanked, planned, moderated a room, was moved, suspended, and had messages removed) is
/// erased, then every row of every table of the store's schemas is read as text and searched. What may remain of them
/// is defined exactly, and nothing else does:
/// <list type="bullet">
/// <item>none of their words (each carries <see cref="Words"/>), nor any reason others gave about them (each carries
/// <see cref="About"/> and names them): a report's reason, an operator's reason for a removal or a suspension, a
/// moderator's reason for a move to the audience;</item>
/// <item>their handle only as a whole value (an actor, an author, a member, a key of a map keyed by users) or inside
/// the ids built from it that the store's structure needs (<see cref="HandleIds"/>): the audits must say who decided
/// what (PRODUCT.md, privacy), and the handle is retired instead;</item>
/// <item>the others' own words, even those that name them (<see cref="OthersWords"/>): those are the others'.</item>
/// </list>
/// Also after a rebuild of every view; and an operator can still audit every case: that it was reported, by whom and
/// when, and what was decided, without the text.
/// </summary>
public sealed class ErasureScanSpecs(AppFixture app) : AppSpec(app)
{
    private const string Erased = "qx_wren";
    private const string Words = "zq7wren";
    private const string About = "zq7about";
    private const string OthersWords = "budi-words see you qx_wren";

    /// <summary>
    /// The ids the store builds from a handle, as patterns over the whole string value that holds it: the handle itself
    /// (their own stream, the reporter's record, every actor and member), their erasure and suspension streams, a
    /// stream of theirs inside another (a participant of a room, an upvote of a question: <c>id/handle</c>), and their
    /// own push items (<c>handle:position</c>: what others did, masked as everywhere, pruned with the feed).
    /// </summary>
    private static readonly System.Text.RegularExpressions.Regex HandleIds = new(
        $"^(?:{Erased}|erasure/{Erased}|suspension/{Erased}|[A-Za-z0-9._~-]+/{Erased}|{Erased}:[0-9]+)$");

    private async Task<string> EverythingByWren()
    {
        var wren = As(Erased);
        var ops = As("ops", isOperator: true);
        foreach (var follower in new[] { "budi", "cici" }) await As(follower).Follow(Erased);
        await wren.Follow("budi");

        // Messages: an opening, one edited, one budi replies to and reacts to, one budi reports and an operator removes.
        var direct = (await wren.StartConversation($"{Words}-opening", ["budi"])).ConversationId;
        var edited = await wren.Say(direct, $"{Words}-message");
        await wren.Put($"/conversations/{direct}/messages/{edited}", new { text = $"{Words}-edit" });
        var budis = await As("budi").Say(direct, OthersWords, replyTo: edited);
        await As("budi").Post($"/conversations/{direct}/messages/{edited}/reactions", new { emoji = "🔥" });
        var rude = await wren.Say(direct, $"{Words}-rude", replyTo: budis);
        await As("budi").Post($"/conversations/{direct}/messages/{rude}/report", new { reason = $"{Erased} wrote {About}-report-message" });
        await wren.Post($"/conversations/{direct}/messages/{budis}/report", new { reason = $"{Words}-report-message" });
        var queue = await ops.Get<Backchannel.Projections.Page<ReportQueueItem>>("/reports");
        var rudeCase = queue.Items.Single(c => c.MessageId == rude).ReportId;
        var budisCase = queue.Items.Single(c => c.MessageId == budis).ReportId;
        await ops.Post($"/reports/{rudeCase}/remove", new { reason = $"{Erased} insulted budi: {About}-remove" });
        await ops.Post($"/reports/{budisCase}/dismiss", new { reason = "not abusive" });

        // Requests: one to dodi, who reports it naming wren; one from cici, which wren reports.
        var toDodi = (await wren.StartConversation($"{Words}-request", ["dodi"])).ConversationId;
        await As("dodi").Post($"/conversations/{toDodi}/report", new { reason = $"{Erased} spams {About}-report-request" });
        var fromCici = (await As("cici").StartConversation("cici-hello", [Erased])).ConversationId;
        await wren.Post($"/conversations/{fromCici}/report", new { reason = $"{Words}-report-request" });
        var dodisCase = (await ops.Get<Backchannel.Projections.Page<ReportQueueItem>>("/reports")).Items.Single(c => c.ConversationId == toDodi).ReportId;
        await ops.Post($"/reports/{dodisCase}/dismiss", new { reason = $"{Erased} was warned: {About}-dismiss" });

        // A group and its name.
        var group = (await wren.StartConversation($"{Words}-group", ["budi", "cici"])).ConversationId;
        await wren.Put($"/conversations/{group}/title", new { title = $"{Words}-title" });

        // Wren's room: its title, an answer, a dismissal and a move with reasons, a stage message.
        var room = await wren.StartRoom($"{Words}-room");
        await As("budi").Join(room.RoomId);
        await As("cici").Join(room.RoomId);
        var budisQuestion = await As("budi").Ask(room.RoomId, "budi-question");
        var cicisQuestion = await As("cici").Ask(room.RoomId, "cici-question");
        await wren.Post($"/rooms/{room.RoomId}/questions/{budisQuestion}/approve");
        await wren.Post($"/rooms/{room.RoomId}/questions/{budisQuestion}/answer", new { text = $"{Words}-answer", visibility = "private" });
        await wren.Post($"/rooms/{room.RoomId}/questions/{cicisQuestion}/dismiss?reason={Words}-dismiss");
        await wren.Post($"/rooms/{room.RoomId}/stage", new { userId = "budi", questionId = (string?)null });
        await wren.Say(room.StageConversationId, $"{Words}-stage");
        await wren.Delete($"/rooms/{room.RoomId}/stage/budi?reason={Words}-move");

        // Budi's room: wren asks, is promoted, and moved back with a reason that names them; then thanks budi.
        var budisRoom = await As("budi").StartRoom("budi-room");
        await wren.Join(budisRoom.RoomId);
        await wren.Ask(budisRoom.RoomId, $"{Words}-question", anonymous: true);
        await As("budi").Post($"/rooms/{budisRoom.RoomId}/stage", new { userId = Erased, questionId = (string?)null });
        await As("budi").Delete($"/rooms/{budisRoom.RoomId}/stage/{Erased}?reason={Erased}-{About}-move");
        await wren.Post("/thanks", new { to = "budi", roomId = budisRoom.RoomId, text = $"{Words}-thanks" }, 201);

        // Events: a title, a cancellation's reason, the planning conversation.
        var cancelled = await wren.ScheduleEvent($"{Words}-cancelled", DateTimeOffset.UtcNow.AddDays(2), "budi");
        await wren.Post($"/events/{cancelled.EventId}/cancel?reason={Words}-cancel");
        var planned = await wren.ScheduleEvent($"{Words}-event", DateTimeOffset.UtcNow.AddDays(3), "budi");
        await wren.Say(planned.PlanningConversationId, $"{Words}-planning");

        // Suspended, lifted, suspended again: the operators' reasons name them.
        await ops.Put($"/users/{Erased}/suspension", new { until = DateTimeOffset.UtcNow.AddDays(1), reason = $"{Erased} {About}-suspend" });
        await ops.Delete($"/users/{Erased}/suspension");
        await ops.Put($"/users/{Erased}/suspension", new { until = (DateTimeOffset?)null, reason = $"{Erased} again {About}-suspend" });
        await AsyncViewsCaughtUp();
        return rudeCase;
    }

    [Fact]
    public async Task after_erasing_a_user_who_did_everything_no_table_holds_their_words_or_text_about_them_and_their_handle_only_as_structure()
    {
        var removedCase = await EverythingByWren();
        (await Hits(Words)).ShouldNotBeEmpty("the scan finds what is there");
        (await Hits(About)).ShouldNotBeEmpty("the scan finds what is there");
        (await HandleBearingText()).ShouldNotBeEmpty("the scan finds text that names them");

        var report = await (await As("ops", isOperator: true).Post($"/users/{Erased}/erasure", status: 200)).ReadAsJsonAsync<ErasureReport>();
        report!.EventsMasked.ShouldBeGreaterThan(20);

        await AssertNothingLeftAsync();
        var live = await StoredViews.CaptureAsync(Store);
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
        await AssertNothingLeftAsync();

        // What an operator needs stays: the cases, who reported them and when, the decisions, the suspensions.
        var ops = As("ops", isOperator: true);
        var resolved = (await ops.Get<Backchannel.Projections.Page<ReportQueueItem>>("/reports?status=resolved&limit=50")).Items;
        var removed = resolved.Single(c => c.ReportId == removedCase);
        (removed.ReportedUser, removed.Reports.Single().Reporter, removed.Reports.Single().Reason).ShouldBe((Erased, "budi", (string?)null));
        removed.Decisions.Single().ShouldBe(new ReportDecision("removed", "ops", ProtectedText.Erased, removed.Decisions.Single().At));
        resolved.Where(c => c.ReportedUser == Erased).SelectMany(c => c.Reports).ShouldAllBe(r => r.Reason == null);
        resolved.Where(c => c.Reports.Any(r => r.Reporter == Erased)).SelectMany(c => c.Reports).ShouldAllBe(r => r.Reason == null);
        var audit = await ops.Items<ModerationAuditEntry>($"/audit/moderation?userId={Erased}");
        audit.Select(e => (e.Action, e.Actor, e.Subject, e.Reason)).ShouldBe([
            ("message_removed_by_moderation", "ops", Erased, ProtectedText.Erased),
            ("report_dismissed", "ops", Erased, ProtectedText.Erased),
            ("user_suspended", "ops", Erased, ProtectedText.Erased),
            ("suspension_lifted", "ops", Erased, null),
            ("user_suspended", "ops", Erased, ProtectedText.Erased),
        ]);
        var others = (await ops.Items<ModerationAuditEntry>("/audit/moderation?userId=budi")).Single();
        (others.Action, others.Reason).ShouldBe(("report_dismissed", "not abusive"), "a decision about someone else keeps its reason");
        (await As("budi").Thread(resolved.Single(c => c.ReportId == removedCase).ConversationId)).Messages
            .ShouldContain(m => m.Text == OthersWords);
    }

    private async Task AssertNothingLeftAsync()
    {
        (await Hits(Words)).ShouldBeEmpty("the erased user's words");
        (await Hits(About)).ShouldBeEmpty("reasons others gave about the erased user");
        (await HandleBearingText()).ShouldBeEmpty("text bearing the erased handle, other than the ids and the others' words allowed");
    }

    private async Task<IReadOnlyList<string>> Hits(string needle)
    {
        var hits = new List<string>();
        foreach (var (table, rows) in await RowsHolding(needle)) hits.Add($"{table} ({rows.Count}): {rows[0][..Math.Min(rows[0].Length, 400)]}");
        return hits;
    }

    /// <summary>Every string (value or property name) of every row naming the erased handle, but what the class allows.</summary>
    private async Task<IReadOnlyList<string>> HandleBearingText()
    {
        var found = new List<string>();
        foreach (var (table, rows) in await RowsHolding(Erased))
        foreach (var row in rows)
            found.AddRange(Strings(JsonDocument.Parse(row).RootElement)
                .Where(s => s.Contains(Erased, StringComparison.Ordinal) && !HandleIds.IsMatch(s) && s != OthersWords)
                .Select(s => $"{table}: {s}"));
        return found.Distinct().ToList();
    }

    private static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                var text = element.GetString()!;
                yield return text;
                // A text column holding JSON is searched inside too.
                if (text.StartsWith('{') || text.StartsWith('['))
                {
                    JsonDocument? inner = null;
                    try { inner = JsonDocument.Parse(text); } catch (JsonException) { }
                    if (inner is not null) foreach (var s in Strings(inner.RootElement)) yield return s;
                }
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var s in Strings(property.Value)) yield return s;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                foreach (var s in Strings(item)) yield return s;
                break;
        }
    }

    /// <summary>
    /// Every row, as JSON, of every table of the store's schemas (events, streams, documents, progress, whatever Marten
    /// made) whose text, in any column of any type, holds <paramref name="needle"/>; binary columns are searched too.
    /// </summary>
    private async Task<IReadOnlyList<(string Table, IReadOnlyList<string> Rows)>> RowsHolding(string needle)
    {
        string[] schemas = [Store.Options.DatabaseSchemaName, Store.Options.Events.DatabaseSchemaName];
        await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<(string Schema, string Table, List<string> Binary)>();
        await using (var list = new NpgsqlCommand(
                         "select t.table_schema, t.table_name, coalesce(array_agg(c.column_name) filter (where c.data_type = 'bytea'), '{}') " +
                         "from information_schema.tables t join information_schema.columns c on c.table_schema = t.table_schema and c.table_name = t.table_name " +
                         "where t.table_schema = any(@schemas) and t.table_type = 'BASE TABLE' group by 1, 2", connection))
        {
            list.Parameters.AddWithValue("schemas", schemas.Distinct().ToArray());
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add((reader.GetString(0), reader.GetString(1), ((string[])reader.GetValue(2)).ToList()));
        }
        tables.Count.ShouldBeGreaterThan(20, "the store's tables");
        var found = new List<(string, IReadOnlyList<string>)>();
        foreach (var (schema, table, binary) in tables)
        {
            var inBinary = string.Concat(binary.Select(c => $" or position(convert_to(@needle, 'UTF8') in t.\"{c}\") > 0"));
            await using var rows = new NpgsqlCommand(
                $"select to_jsonb(t)::text from \"{schema}\".\"{table}\" t where strpos(t::text, @needle) > 0 or strpos(to_jsonb(t)::text, @needle) > 0{inBinary}",
                connection);
            rows.Parameters.AddWithValue("needle", needle);
            var texts = new List<string>();
            await using (var reader = await rows.ExecuteReaderAsync())
                while (await reader.ReadAsync()) texts.Add(reader.GetString(0));
            if (texts.Count > 0) found.Add(($"{schema}.{table}", texts));
        }
        return found;
    }
}
