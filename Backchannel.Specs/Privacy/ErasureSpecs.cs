using Backchannel.Domain.Privacy;
using Backchannel.Projections;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Privacy;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Privacy;

/// <summary>
/// An erased user's words can be found nowhere: not in the database (every table of the store's schemas, the events
/// included), not in any read or export, not after a rebuild; the decisions stay, their tokens stop working.
/// </summary>
public sealed class ErasureSpecs(AppFixture app) : AppSpec(app)
{
    /// <summary>What every text ayu writes contains, and nothing else in the store does.</summary>
    private const string Planted = "zq7ayu";

    private sealed record World(
        IReadOnlyList<string> Conversations, string AyusRoom, string BudisRoom, string CancelledEvent, string Event,
        string BudisMessage, IReadOnlyList<string> Questions);

    /// <summary>Ayu writes in every place a user can write text; budi and citra write their own words beside.</summary>
    private async Task<World> AyuWritesEverywhere()
    {
        await As("budi").Follow("ayu");
        await As("citra").Follow("ayu");
        var ayu = As("ayu");
        // A direct conversation: an opening, a message, its edit, a reply, a reaction, a report of budi's message.
        var direct = (await ayu.StartConversation($"{Planted}-opening", ["budi"])).ConversationId;
        var edited = await ayu.Say(direct, $"{Planted}-message");
        await ayu.Put($"/conversations/{direct}/messages/{edited}", new { text = $"{Planted}-edit" });
        var budis = await As("budi").Say(direct, "budi-own-words");
        await ayu.Say(direct, $"{Planted}-reply", replyTo: budis);
        await ayu.Post($"/conversations/{direct}/messages/{budis}/reactions", new { emoji = "🔥" });
        await ayu.Post($"/conversations/{direct}/messages/{budis}/report", new { reason = $"{Planted}-report-message" });
        // A group and its name.
        var group = (await ayu.StartConversation($"{Planted}-group-opening", ["budi", "citra"])).ConversationId;
        await ayu.Put($"/conversations/{group}/title", new { title = $"{Planted}-group-title" });
        await As("citra").Say(group, "citra-own-words");
        // A request to ayu, reported with a reason.
        var request = (await As("citra").StartConversation("citra-hello", ["ayu"])).ConversationId;
        await ayu.Post($"/conversations/{request}/report", new { reason = $"{Planted}-report-request" });

        // Ayu's room: its title, an answer, a dismissal's reason, a move to the audience with a reason.
        var room = await ayu.StartRoom($"{Planted}-room-title");
        await As("budi").Join(room.RoomId);
        await As("citra").Join(room.RoomId);
        var budisQuestion = await As("budi").Ask(room.RoomId, "budi-question");
        var citrasQuestion = await As("citra").Ask(room.RoomId, "citra-question");
        await ayu.Post($"/rooms/{room.RoomId}/questions/{budisQuestion}/approve");
        await ayu.Post($"/rooms/{room.RoomId}/questions/{budisQuestion}/answer", new { text = $"{Planted}-answer", visibility = "public" });
        await ayu.Post($"/rooms/{room.RoomId}/questions/{citrasQuestion}/dismiss?reason={Planted}-dismiss");
        await ayu.Post($"/rooms/{room.RoomId}/stage", new { userId = "citra", questionId = (string?)null });
        await ayu.Post($"/rooms/{room.RoomId}/stage", new { userId = "budi", questionId = (string?)null });
        await ayu.Delete($"/rooms/{room.RoomId}/stage/budi?reason={Planted}-move");
        await ayu.Say(room.StageConversationId, $"{Planted}-stage-message");
        // Budi's room: a question by ayu, and a thank-you note for it.
        var budisRoom = await As("budi").StartRoom("budi-room");
        await ayu.Join(budisRoom.RoomId);
        var ayusQuestion = await ayu.Ask(budisRoom.RoomId, $"{Planted}-question");
        await ayu.Post("/thanks", new { to = "budi", roomId = budisRoom.RoomId, text = $"{Planted}-thanks" }, 201);

        // Events: a title, a cancellation's reason, a message in the planning conversation.
        var cancelled = await ayu.ScheduleEvent($"{Planted}-event-cancelled", DateTimeOffset.UtcNow.AddDays(2), "budi");
        await ayu.Post($"/events/{cancelled.EventId}/cancel?reason={Planted}-cancel-reason");
        var planned = await ayu.ScheduleEvent($"{Planted}-event-title", DateTimeOffset.UtcNow.AddDays(3), "budi");
        await ayu.Say(planned.PlanningConversationId, $"{Planted}-planning");
        await AsyncViewsCaughtUp();

        var conversations = (await Store.QuerySession().Query<Backchannel.Projections.Conversations.ConversationView>().Select(c => c.Id).ToListAsync()).ToList();
        return new World(conversations, room.RoomId, budisRoom.RoomId, cancelled.EventId, planned.EventId, budis,
            [budisQuestion, citrasQuestion, ayusQuestion]);
    }

    /// <summary>Every read budi, citra and an operator can make of this world, and every export, as text.</summary>
    private async Task<string> EverythingReadable(World world)
    {
        var seen = new List<string>();
        async Task Read(Caller caller, string url) => seen.Add(await (await caller.Get(url)).ReadAsTextAsync());
        foreach (var who in new[] { "budi", "citra" })
        {
            var caller = As(who);
            await Read(caller, "/inbox");
            await Read(caller, "/inbox/requests");
            await Read(caller, "/events/upcoming");
            await Read(caller, $"/events/{world.Event}");
            await Read(caller, $"/events/{world.CancelledEvent}");
            await Read(caller, "/me/export");
            foreach (var id in world.Conversations)
            {
                if ((await caller.Probe($"/conversations/{id}")).Context.Response.StatusCode != 200) continue;
                var thread = await caller.Thread(id);
                await Read(caller, $"/conversations/{id}");
                for (var version = 1; version <= thread.Version; version++) await Read(caller, $"/conversations/{id}?asOfVersion={version}");
                for (long? before = null; ;)
                {
                    var page = await caller.Thread(id, $"?limit=1{(before is null ? "" : $"&before={before}")}");
                    seen.Add(System.Text.Json.JsonSerializer.Serialize(page));
                    if (page.NextBefore is null) break;
                    before = page.NextBefore;
                }
            }
        }
        await Read(As("budi"), $"/rooms/{world.AyusRoom}");
        await Read(As("citra"), $"/rooms/{world.AyusRoom}/moderation");
        await Read(As("budi"), $"/rooms/{world.BudisRoom}/moderation");
        await Read(As("budi"), $"/rooms/{world.BudisRoom}");
        var ops = As("ops", isOperator: true);
        await Read(ops, "/audit/requests");
        await Read(ops, "/audit/rooms");
        await using var session = Store.QuerySession();
        foreach (var log in new[] { AuditLog.Requests, AuditLog.Rooms })
        {
            using var export = new MemoryStream();
            await session.WriteJsonLinesAsync(export, log);
            seen.Add(System.Text.Encoding.UTF8.GetString(export.ToArray()));
        }
        return string.Join("\n", seen);
    }

    [Fact]
    public async Task after_an_erasure_nothing_the_user_wrote_is_in_any_table_read_or_export_and_a_rebuild_brings_none_of_it_back()
    {
        var world = await AyuWritesEverywhere();
        (await StoreText.FindAsync(Store, Planted)).ShouldContain(hit => hit.Contains("mt_events"), "the search finds what is there");
        (await EverythingReadable(world)).ShouldContain(Planted);

        var report = await (await As("ayu").Delete("/me", 200)).ReadAsJsonAsync<ErasureReport>();

        report!.EventsMasked.ShouldBeGreaterThan(15);
        report.DocumentsChanged.ShouldBeGreaterThan(0);
        report.AlreadyErased.ShouldBeFalse();
        (await StoreText.FindAsync(Store, Planted)).ShouldBeEmpty();
        var readable = await EverythingReadable(world);
        readable.ShouldNotContain(Planted);
        // Only what ayu wrote is gone: the others' words and the decisions stay.
        readable.ShouldContain("budi-own-words");
        readable.ShouldContain("citra-own-words");
        readable.ShouldContain("budi-question");
        readable.ShouldContain(ProtectedText.Erased);
        var audit = (await As("ops", isOperator: true).Get<Backchannel.Projections.Page<RequestAuditEntry>>("/audit/requests?userId=ayu&limit=200")).Items;
        audit.ShouldContain(e => e.Decision == "reported" && e.Actor == "ayu" && e.Reason == null);

        var live = await StoredViews.CaptureAsync(Store);
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
        (await StoreText.FindAsync(Store, Planted)).ShouldBeEmpty();
        (await EverythingReadable(world)).ShouldNotContain(Planted);
    }

    [Fact]
    public async Task the_thread_shows_the_erased_users_messages_as_erased_under_their_handle_and_the_others_words_unchanged()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation($"{Planted} hello", ["budi"])).ConversationId;
        await As("budi").Say(id, "budi answers");

        await As("ops", isOperator: true).Post("/users/ayu/erasure", status: 200);

        var thread = await As("budi").Thread(id);
        thread.Messages.Select(m => (m.Author, m.Text)).ShouldBe([("ayu", ProtectedText.Erased), ("budi", "budi answers")]);
        (await As("budi").Inbox()).Single().LastMessage!.Text.ShouldBe("budi answers");
    }

    [Fact]
    public async Task an_erased_handles_tokens_are_refused_even_one_minted_after_the_erasure()
    {
        var token = As("ayu");
        await token.Get("/inbox");

        await token.Delete("/me", 200);

        await token.Get("/inbox", 401);
        await As("ayu").Get("/me/export", 401);
        await As("ayu").Post("/conversations", new { to = new[] { "budi" }, text = "back again" }, 401);
        await As("budi").Get("/inbox");
    }

    [Fact]
    public async Task a_push_ticket_minted_before_the_erasure_opens_no_stream_after_it()
    {
        var minted = await As("ayu").Post("/push/tickets", status: 201);
        var ticket = (await minted.ReadAsJsonAsync<Backchannel.Host.Http.PushTicketEndpoint.PushTicket>())!.Ticket;
        var other = (await (await As("budi").Post("/push/tickets", status: 201)).ReadAsJsonAsync<Backchannel.Host.Http.PushTicketEndpoint.PushTicket>())!.Ticket;

        await As("ayu").Delete("/me", 200);

        using var erased = await Host.Server.CreateClient().GetAsync($"/me/events?ticket={Uri.EscapeDataString(ticket)}", HttpCompletionOption.ResponseHeadersRead);
        erased.StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        using var live = await Host.Server.CreateClient().GetAsync($"/me/events?ticket={Uri.EscapeDataString(other)}", HttpCompletionOption.ResponseHeadersRead);
        live.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task an_erased_handles_open_push_stream_ends_and_another_users_stays_open()
    {
        await using var ayus = await PushStream.OpenAsync(Host.Server.CreateClient(), App.TokenFor("ayu"));
        await using var budis = await PushStream.OpenAsync(Host.Server.CreateClient(), App.TokenFor("budi"));
        (await ayus.NextAsync()).Kind.ShouldBe("ready");
        (await budis.NextAsync()).Kind.ShouldBe("ready");

        await As("ops", isOperator: true).Post("/users/ayu/erasure", status: 200);

        await ayus.EndedAsync();
        await As("cici").StartConversation("for budi", ["budi"]);
        (await budis.NextAsync("conversation")).Data.GetProperty("conversationId").GetString().ShouldNotBeNull();
    }

    [Fact]
    public async Task only_an_operator_erases_someone_else_an_outsider_is_refused_and_nothing_is_recorded()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation($"{Planted} mine", ["budi"])).ConversationId;

        (await As("citra").Refused(c => c.Post("/users/ayu/erasure", status: 403))).Extensions["code"]!.ToString().ShouldBe("operators_only");
        (await As("budi", isOperator: false).Refused(c => c.Post("/users/ayu/erasure", status: 403))).Extensions["code"]!.ToString().ShouldBe("operators_only");
        await using (var session = Store.QuerySession())
            (await session.IsErasedAsync("ayu")).ShouldBeFalse();
        (await As("budi").Thread(id)).Messages.Single().Text.ShouldBe($"{Planted} mine");

        (await As("ayu").Refused(c => c.Post("/users/not a handle/erasure", status: 400))).Extensions["errors"]!.ToString()!.ShouldContain("userId");
        var report = await (await As("ops", isOperator: true).Post("/users/ayu/erasure", status: 200)).ReadAsJsonAsync<ErasureReport>();
        report!.EventsMasked.ShouldBe(1);
        (await As("budi").Thread(id)).Messages.Single().Text.ShouldBe(ProtectedText.Erased);
        await using (var session = Store.QuerySession())
        {
            var erasure = await session.LoadAsync<Erasure>(ErasureStreams.Id("ayu"));
            (erasure!.RequestedBy, erasure.ByOperator, erasure.ErasedAt is not null).ShouldBe(("ops", true, true));
        }
    }

    [Fact]
    public async Task erasing_again_masks_nothing_more_changes_nothing_and_says_it_was_erased_before()
    {
        await As("budi").Follow("ayu");
        await As("ayu").StartConversation($"{Planted} once", ["budi"]);
        var ops = As("ops", isOperator: true);
        var first = await (await ops.Post("/users/ayu/erasure", status: 200)).ReadAsJsonAsync<ErasureReport>();
        var views = await StoredViews.CaptureAsync(Store);
        async Task<long> Version()
        {
            await using var session = Store.QuerySession();
            return (await session.Events.FetchStreamStateAsync(ErasureStreams.Id("ayu")))!.Version;
        }
        var version = await Version();

        var again = await (await ops.Post("/users/ayu/erasure", status: 200)).ReadAsJsonAsync<ErasureReport>();

        (again!.AlreadyErased, again.EventsMasked, again.DocumentsChanged, again.ErasedAt).ShouldBe((true, 0, 0, first!.ErasedAt));
        (await Version()).ShouldBe(version, "a repeat records nothing");
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(views);
    }

    [Fact]
    public async Task an_erasure_stopped_midway_leaves_the_handle_refused_and_the_next_run_completes_it()
    {
        await As("budi").Follow("ayu");
        var first = (await As("ayu").StartConversation($"{Planted} first", ["budi"])).ConversationId;
        var second = (await As("ayu").StartConversation($"{Planted} second", ["budi"])).ConversationId;
        var room = await As("ayu").StartRoom($"{Planted} room");
        await AsyncViewsCaughtUp();
        var crash = new SynchronousProgress<ErasureProgress>(_ => throw new InvalidOperationException("the node died"));

        await Should.ThrowAsync<InvalidOperationException>(() =>
            Store.EraseUserAsync(new EraseUser("ayu", "ops", ByOperator: true), TimeProvider.System, crash));

        await As("ayu").Get("/inbox", 401);
        (await StoreText.FindAsync(Store, Planted)).ShouldNotBeEmpty("it stopped after the first stream");
        await using (var before = Store.QuerySession())
            (await before.LoadAsync<Erasure>(ErasureStreams.Id("ayu")))!.ErasedAt.ShouldBeNull();

        var report = await Store.EraseUserAsync(new EraseUser("ayu", "ops", ByOperator: true), TimeProvider.System);

        report.AlreadyErased.ShouldBeFalse();
        report.Streams.ShouldBe(3);
        report.EventsMasked.ShouldBe(2, "the first stream was masked by the stopped run");
        (await StoreText.FindAsync(Store, Planted)).ShouldBeEmpty();
        (await As("budi").Thread(first)).Messages.Single().Text.ShouldBe(ProtectedText.Erased);
        (await As("budi").Thread(second)).Messages.Single().Text.ShouldBe(ProtectedText.Erased);
        await using var session = Store.QuerySession();
        (await session.LoadAsync<Backchannel.Projections.Rooms.RoomView>(room.RoomId))!.Title.ShouldBe(ProtectedText.Erased);
    }

    [Fact]
    public async Task masked_events_replay_to_masked_views_a_rebuild_of_each_view_alone_brings_nothing_back()
    {
        await As("budi").Follow("ayu");
        await As("citra").Follow("ayu");
        var id = (await As("ayu").StartConversation($"{Planted} rebuilt", ["budi", "citra"])).ConversationId;
        await As("ayu").Put($"/conversations/{id}/title", new { title = $"{Planted} title" });
        await As("ayu").StartRoom($"{Planted} room");
        await As("ayu").Delete("/me", 200);
        var live = await StoredViews.CaptureAsync(Store);

        foreach (var view in ViewRebuilder.All)
        {
            await Store.RebuildAsync(view.Name, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
            (await StoreText.FindAsync(Store, Planted)).ShouldBeEmpty(view.Name);
        }
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
        await using var session = Store.QuerySession();
        var events = await session.Events.FetchStreamAsync(id);
        events.Select(e => e.Data).OfType<Backchannel.Domain.Conversations.MessageSent>().Single().Text.ShouldBe(ProtectedText.Erased);
    }
    [Fact]
    public async Task others_keep_writing_in_the_same_conversations_while_an_erasure_runs_and_nothing_of_theirs_is_lost()
    {
        await As("budi").Follow("ayu");
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            var id = (await As("ayu").StartConversation($"{Planted} {i}", ["budi"])).ConversationId;
            await As("ayu").Say(id, $"{Planted} again {i}");
            ids.Add(id);
        }

        var writers = ids.Select(async id =>
        {
            for (var n = 0; n < 5; n++) await As("budi").Say(id, $"budi {id} {n}");
        }).ToList();
        var erasure = As("ops", isOperator: true).Post("/users/ayu/erasure", status: 200);
        await Task.WhenAll([.. writers, erasure]);
        await AsyncViewsCaughtUp();

        foreach (var id in ids)
        {
            var thread = await As("budi").Thread(id);
            thread.Messages.Where(m => m.Author == "budi").Select(m => m.Text).ShouldBe(Enumerable.Range(0, 5).Select(n => $"budi {id} {n}"));
            thread.Messages.Where(m => m.Author == "ayu").ShouldAllBe(m => m.Text == ProtectedText.Erased);
        }
        (await StoreText.FindAsync(Store, Planted)).ShouldBeEmpty();
        var live = await StoredViews.CaptureAsync(Store);
        await Store.RebuildAsync(view: null, new SynchronousProgress<ViewRebuilder.Progress>(_ => { }));
        (await StoredViews.CaptureAsync(Store)).ShouldMatch(live);
    }
}
