using Backchannel.Domain.Conversations;
using Backchannel.Domain.Common;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// The push stream (<c>GET /me/events</c>) through a real streaming client: what changes in a user's views reaches
/// them without polling, only what they may see, and a reconnect resumes exactly once, in order.
/// </summary>
public sealed class PushSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task a_recipient_sees_a_message_sent_by_another_user_without_polling()
    {
        await As("budi").Follow("ayu");
        await using var budi = await Listen("budi");
        (await budi.NextAsync("ready")).Data.GetProperty("position").GetInt64().ShouldBeGreaterThanOrEqualTo(0);

        var started = await As("ayu").StartConversation("hello budi", ["budi"]);
        var conversation = await budi.NextAsync("conversation");
        conversation.Text("conversationId").ShouldBe(started.ConversationId);
        conversation.Text("box").ShouldBe("inbox");
        (await budi.NextAsync("message_sent")).Text("text").ShouldBe("hello budi");

        var later = await As("ayu").Say(started.ConversationId, "are you there?");
        var message = await budi.NextAsync("message_sent");
        message.Text("messageId").ShouldBe(later);
        message.Text("author").ShouldBe("ayu");
        message.Text("text").ShouldBe("are you there?");
    }

    [Fact]
    public async Task edits_tombstones_reactions_and_read_markers_reach_the_other_member_in_order()
    {
        await As("budi").Follow("ayu");
        var started = await As("ayu").StartConversation("hello budi", ["budi"]);
        var id = started.ConversationId;
        await using var budi = await ListenFromNow("budi");
        await using var ayu = await ListenFromNow("ayu");

        var second = await As("ayu").Say(id, "typo hree");
        await As("ayu").Put($"/conversations/{id}/messages/{second}", new { text = "typo here" });
        await As("budi").Post($"/conversations/{id}/messages/{second}/reactions", new { emoji = "🔥" });
        await As("budi").Delete($"/conversations/{id}/messages/{second}/reactions/🔥");
        await As("ayu").Delete($"/conversations/{id}/messages/{second}");
        await As("budi").Post($"/conversations/{id}/read", new { upToMessageId = started.MessageId });

        (await budi.NextAsync("message_sent")).Text("messageId").ShouldBe(second);
        (await budi.NextAsync("message_edited")).Text("text").ShouldBe("typo here");
        (await budi.NextAsync("reaction_added")).Text("emoji").ShouldBe("🔥");
        (await budi.NextAsync("reaction_withdrawn")).Text("userId").ShouldBe("budi");
        (await budi.NextAsync("message_deleted")).Text("messageId").ShouldBe(second);
        (await budi.NextAsync("messages_read")).Text("upToMessageId").ShouldBe(started.MessageId);

        var kinds = (await ayu.UntilAsync(e => e.Kind == "messages_read")).Select(e => e.Kind);
        kinds.ShouldBe(["message_sent", "message_edited", "reaction_added", "reaction_withdrawn", "message_deleted", "messages_read"]);
    }

    [Fact]
    public async Task a_declined_request_sends_its_recipient_nothing_more_and_the_sender_sees_no_change()
    {
        await As("budi").Follow("cici");
        await using var budi = await ListenFromNow("budi");

        var request = await As("ayu").StartConversation("hi stranger", ["budi"]);
        (await budi.NextAsync("conversation")).Text("box").ShouldBe("requests");
        (await budi.NextAsync("message_sent")).Text("text").ShouldBe("hi stranger");
        await using var ayu = await ListenFromNow("ayu");

        await As("budi").Post($"/conversations/{request.ConversationId}/decline");
        var gone = await budi.NextAsync("conversation");
        gone.Data.GetProperty("box").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
        gone.Text("yourStatus").ShouldBe("declined");

        await As("ayu").Say(request.ConversationId, "hello?");
        var fence = await As("cici").StartConversation("a friend writes", ["budi"]);
        var afterDecline = await budi.UntilAsync(e => e.Kind == "message_sent" && e.Text("conversationId") == fence.ConversationId);
        afterDecline.ShouldAllBe(e => e.Text("conversationId") == fence.ConversationId);

        (await ayu.NextAsync("message_sent")).Text("text").ShouldBe("hello?", "the decline itself reaches the sender as nothing at all");
    }

    [Fact]
    public async Task a_request_suppressed_by_a_block_never_reaches_the_blocker()
    {
        await As("budi").Follow("cici");
        await As("budi").Post("/blocks/dodi");
        await using var budi = await ListenFromNow("budi");
        await using var dodi = await ListenFromNow("dodi");

        var suppressed = await As("dodi").StartConversation("let me in", ["budi"]);
        await As("dodi").Say(suppressed.ConversationId, "please");
        var fence = await As("cici").StartConversation("a friend writes", ["budi"]);

        var seen = await budi.UntilAsync(e => e.Kind == "message_sent" && e.Text("conversationId") == fence.ConversationId);
        seen.ShouldAllBe(e => e.Text("conversationId") == fence.ConversationId);
        var asTheRequesterSeesIt = (await dodi.UntilAsync(e => e.Kind == "conversation" && e.Data.GetProperty("members").GetArrayLength() == 1))[^1];
        asTheRequesterSeesIt.Data.GetProperty("members")[0].GetProperty("status").GetString()
            .ShouldBe("invited", "the requester cannot tell a suppressed request from one that waits");
    }

    [Fact]
    public async Task a_pending_requester_gets_no_read_marker_until_the_recipient_accepts()
    {
        var request = await As("ayu").StartConversation("hi stranger", ["budi"]);
        await using var ayu = await ListenFromNow("ayu");

        await As("budi").Post($"/conversations/{request.ConversationId}/read", new { upToMessageId = request.MessageId });
        await As("budi").Post($"/conversations/{request.ConversationId}/accept");
        var accepted = await ayu.NextAsync("conversation");
        accepted.Data.GetProperty("members")[0].GetProperty("status").GetString().ShouldBe("active");

        var next = await As("ayu").Say(request.ConversationId, "thanks for accepting");
        (await ayu.NextAsync("message_sent")).Text("messageId").ShouldBe(next);
        await As("budi").Post($"/conversations/{request.ConversationId}/read", new { upToMessageId = next });
        var read = await ayu.NextAsync("messages_read");
        read.Text("userId").ShouldBe("budi");
        read.Text("upToMessageId").ShouldBe(next);
    }

    [Fact]
    public async Task a_member_who_left_gets_nothing_after_leaving()
    {
        foreach (var member in new[] { "budi", "cici" }) await As(member).Follow("ayu");
        await As("cici").Follow("dodi");
        var group = await As("ayu").StartConversation("group hello", ["budi", "cici"]);
        await using var cici = await ListenFromNow("cici");

        await As("cici").Post($"/conversations/{group.ConversationId}/leave");
        (await cici.NextAsync("conversation")).Text("yourStatus").ShouldBe("left");
        await As("ayu").Say(group.ConversationId, "after cici left");
        await As("ayu").Put($"/conversations/{group.ConversationId}/title", new { title = "without cici" });
        var fence = await As("dodi").StartConversation("a friend writes", ["cici"]);

        var seen = await cici.UntilAsync(e => e.Kind == "message_sent" && e.Text("conversationId") == fence.ConversationId);
        seen.ShouldAllBe(e => e.Text("conversationId") == fence.ConversationId);
    }

    [Fact]
    public async Task a_reconnect_with_last_event_id_resumes_exactly_once_in_order()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("first", ["budi"])).ConversationId;
        long resumeAfter;
        await using (var first = await ListenFromNow("budi"))
        {
            await As("ayu").Say(id, "seen before the drop");
            resumeAfter = (await first.NextAsync("message_sent")).Id;
        }

        var missed = new List<string>();
        for (var i = 1; i <= 5; i++) missed.Add(await As("ayu").Say(id, $"missed {i}"));

        await using var resumed = await Listen("budi", resumeAfter.ToString());
        var delivered = new List<PushEvent>();
        for (var i = 0; i < missed.Count; i++) delivered.Add(await resumed.NextAsync("message_sent"));
        delivered.Select(e => e.Text("messageId")).ShouldBe(missed);
        delivered.Select(e => e.Id).ShouldBeInOrder(SortDirection.Ascending);
        delivered.Select(e => e.Id).ShouldAllBe(p => p > resumeAfter);

        var live = await As("ayu").Say(id, "live again");
        (await resumed.NextAsync("message_sent")).Text("messageId").ShouldBe(live, "nothing replayed twice before the live one");

        await using var byQuery = await Listen("budi", delivered[2].Id.ToString(), inQuery: true);
        (await byQuery.NextAsync("message_sent")).Text("messageId").ShouldBe(missed[3]);
    }

    [Fact]
    public async Task a_message_whose_transaction_commits_late_is_delivered_in_its_place_not_skipped()
    {
        await As("budi").Follow("ayu");
        var slow = (await As("ayu").StartConversation("slow one", ["budi"])).ConversationId;
        var fast = (await As("ayu").StartConversation("fast one", ["budi"])).ConversationId;
        await using var budi = await ListenFromNow("budi");

        // Hold a lock the slow conversation's inline view needs: its message takes its sequence number at insert,
        // then waits to commit while a later message commits first.
        await using var blocker = new NpgsqlConnection(AppFixture.ConnectionString);
        await blocker.OpenAsync();
        var hold = await blocker.BeginTransactionAsync();
        await using (var lockView = new NpgsqlCommand("select 1 from backchannel.mt_doc_conversationview where id = @id for update", blocker, hold))
        {
            lockView.Parameters.AddWithValue("id", slow);
            await lockView.ExecuteScalarAsync();
        }
        var slowSend = As("ayu").Say(slow, "committed late");
        await WaitUntilSomeoneWaitsOnALock(blocker);
        // One node's writer decides its batches one after the other: the later transaction is another node's.
        var otherNode = new CommandPipeline(Host.Services.GetRequiredService<IBackchannelStore>(), App.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CommandPipeline>.Instance, Backchannel.Projections.BackchannelRegistration.InlineStreamViews);
        using var stopOtherNode = new CancellationTokenSource();
        var otherWriter = otherNode.RunAsync(stopOtherNode.Token);
        var fastMessage = Guid.CreateVersion7().ToString();
        await otherNode.DecideAsync(new SendMessageHandler.Sending(new SendMessage(fast, fastMessage, "ayu", "committed first", null),
            Host.Services.GetRequiredService<BackchannelSettings>()), null, CancellationToken.None);
        await stopOtherNode.CancelAsync();
        await otherWriter;
        slowSend.IsCompleted.ShouldBeFalse("the slow message must still be waiting on the lock");
        await hold.CommitAsync();
        var slowMessage = await slowSend;

        var first = await budi.NextAsync("message_sent");
        var second = await budi.NextAsync("message_sent");
        first.Text("messageId").ShouldBe(slowMessage, "the earlier position comes first, though it committed last");
        second.Text("messageId").ShouldBe(fastMessage);
        first.Id.ShouldBeLessThan(second.Id);
    }

    private static async Task WaitUntilSomeoneWaitsOnALock(NpgsqlConnection connection)
    {
        await using var waiting = new NpgsqlCommand("select exists (select 1 from pg_locks where not granted)", connection);
        var patience = System.Diagnostics.Stopwatch.StartNew();
        while (!(bool)(await waiting.ExecuteScalarAsync())!)
        {
            patience.Elapsed.ShouldBeLessThan(PushStream.Patience, "the slow message never reached the held lock");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task a_position_older_than_retention_or_unknown_is_told_to_reload()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("old news", ["budi"])).ConversationId;
        await using (var stream = await Listen("budi", "0"))
        {
            await stream.NextAsync("conversation");
        }
        await Store.PruneFeedAsync(DateTimeOffset.UtcNow.AddMinutes(1));

        await using var expired = await Listen("budi", "0");
        var reload = await expired.NextAsync("reload");
        reload.Text("reason").ShouldBe("expired");
        var next = await As("ayu").Say(id, "after the reload");
        (await expired.NextAsync("message_sent")).Text("messageId").ShouldBe(next);

        await using var unknown = await Listen("budi", "999999999");
        (await unknown.NextAsync("reload")).Text("reason").ShouldBe("unknown_position");
    }

    /// <summary>
    /// The pruner commits after a resuming stream checked the mark and before it reads its first page: the items it
    /// deleted are not in the page, so the stream must tell the client to reload rather than hand it the rest.
    /// </summary>
    [Fact]
    public async Task a_pruning_between_the_mark_check_and_the_page_read_ends_in_reload_not_a_gap()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("catching up", ["budi"])).ConversationId;
        await AsyncViewsCaughtUp();
        var resumeFrom = (await ItemsForAsync("budi")).Max(i => i.Position);
        for (var i = 0; i < 4; i++) await As("ayu").Say(id, $"while away {i}");
        await AsyncViewsCaughtUp();
        var missed = (await ItemsForAsync("budi")).Where(i => i.Position > resumeFrom).OrderBy(i => i.Position).ToList();
        missed.Count.ShouldBe(4);

        var store = Host.Services.GetRequiredService<IBackchannelStore>();
        var settings = Host.Services.GetRequiredService<BackchannelSettings>();
        // The watcher reads the user's page through a store that lets the pruner commit first, once: the first two go.
        var pruningFirst = PruningBeforeTheUsersPage.Of(store, () => store.PruneFeedAsync(missed[2].At));
        var watcher = new FeedWatcher(pruningFirst, settings, Microsoft.Extensions.Logging.Abstractions.NullLogger<FeedWatcher>.Instance);
        using var stop = new CancellationTokenSource(PushStream.Patience);
        await using var frames = new PushFeed(store, watcher, settings).ReadAsync("budi", resumeFrom, stop.Token).GetAsyncEnumerator(stop.Token);

        (await frames.MoveNextAsync()).ShouldBeTrue();
        frames.Current.Kind.ShouldBe(PushFrame.Reload, "the client is not handed the later items as if nothing were missing");
        ((PushStart)frames.Current.Data!).Reason.ShouldBe("expired");
        await using var query = store.QuerySession();
        (await query.PrunedThroughAsync()).ShouldBe(missed[1].Position, "the pruning did run in between");
    }

    private async Task<IReadOnlyList<FeedItem>> ItemsForAsync(string userId)
    {
        await using var query = Store.QuerySession();
        return await query.QueryAsync<FeedItem>("where recipients @> ?", (object)new[] { userId });
    }

    [Fact]
    public async Task a_quiet_stream_stays_open_with_heartbeats_and_still_delivers()
    {
        await As("budi").Follow("ayu");
        await using var budi = await ListenFromNow("budi");

        await budi.HeartbeatAsync();
        await As("ayu").StartConversation("after a quiet while", ["budi"]);
        await budi.NextAsync("conversation");
        (await budi.NextAsync("message_sent")).Text("text").ShouldBe("after a quiet while");
    }

    [Fact]
    public async Task the_stream_needs_a_token_and_a_valid_position()
    {
        await new Caller(Host, token: null).Get("/me/events", 401);
        var problem = await As("budi").Refused(c => c.Get("/me/events?lastEventId=yesterday", 400));
        problem.Extensions["errors"]!.ToString()!.ShouldContain("lastEventId");
    }
}

/// <summary>A store whose first read of one user's feed page waits for <c>prune</c> to commit first.</summary>
public class PruningBeforeTheUsersPage : System.Reflection.DispatchProxy
{
    private IBackchannelStore _store = null!;
    private Func<Task> _prune = null!;
    private int _armed = 1;

    public static IBackchannelStore Of(IBackchannelStore store, Func<Task> prune)
    {
        var proxy = Create<IBackchannelStore, PruningBeforeTheUsersPage>();
        var self = (PruningBeforeTheUsersPage)(object)proxy;
        self._store = store;
        self._prune = prune;
        return proxy;
    }

    protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
    {
        var result = method!.Invoke(_store, args);
        return method.Name == "QuerySession" && args is [] ? Session.Of((Marten.IQuerySession)result!, this) : result;
    }

    private async Task PruneOnceAsync()
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1) await _prune();
    }

    public class Session : System.Reflection.DispatchProxy
    {
        private Marten.IQuerySession _session = null!;
        private PruningBeforeTheUsersPage _store = null!;

        public static Marten.IQuerySession Of(Marten.IQuerySession session, PruningBeforeTheUsersPage store)
        {
            var proxy = Create<Marten.IQuerySession, Session>();
            ((Session)(object)proxy)._session = session;
            ((Session)(object)proxy)._store = store;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? method, object?[]? args)
        {
            // The one user's page (the node's own reads ask for several users with &&).
            if (method!.Name == "QueryAsync" && args is [string sql, CancellationToken ct, object[] parameters] && sql.Contains("recipients @>"))
                return PrunedThenAsync(sql, ct, parameters);
            try
            {
                return method.Invoke(_session, args);
            }
            catch (System.Reflection.TargetInvocationException e) when (e.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                throw;
            }
        }

        private async Task<IReadOnlyList<FeedItem>> PrunedThenAsync(string sql, CancellationToken ct, object[] parameters)
        {
            await _store.PruneOnceAsync();
            return await _session.QueryAsync<FeedItem>(sql, ct, parameters);
        }
    }
}
