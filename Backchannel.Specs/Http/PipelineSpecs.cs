using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Specs.Support;
using Marten;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shouldly;
using Wolverine;
using Xunit.Abstractions;

namespace Backchannel.Specs.Http;

/// <summary>
/// The command pipeline (group commit): commands queued together are decided in one transaction, each on the state the
/// earlier ones left, each answered on its own, all failed together when the commit fails. The batch specs queue their
/// commands on a pipeline of their own before its writer starts, so the writer takes them all in one batch.
/// </summary>
public sealed class PipelineSpecs(AppFixture app, ITestOutputHelper output) : AppSpec(app)
{
    private BackchannelSettings Settings => Host.Services.GetRequiredService<BackchannelSettings>();

    private CommandPipeline NewPipeline() =>
        new(Host.Services.GetRequiredService<IBackchannelStore>(), App.Clock, NullLogger<CommandPipeline>.Instance,
            Backchannel.Projections.BackchannelRegistration.InlineStreamViews);

    /// <summary>Queues every job, then runs one writer until all are answered: one batch, as nothing else is queued.</summary>
    private async Task OneBatch(CommandPipeline pipeline, Func<Task>[] queue)
    {
        var answers = queue.Select(q => q()).ToList();
        using var stop = new CancellationTokenSource();
        var writer = pipeline.RunAsync(stop.Token, writers: 1);
        await Task.WhenAll(answers.Select(a => a.ContinueWith(_ => { }, TaskScheduler.Default)));
        await stop.CancelAsync();
        await writer;
    }

    private Task<Paced> Send(CommandPipeline pipeline, string conversation, string messageId, string sender, string? replyTo = null) =>
        pipeline.DecideAsync(new SendMessageHandler.Sending(new SendMessage(conversation, messageId, sender, $"{sender}: {messageId}", replyTo), Settings),
            null, CancellationToken.None);

    private async Task<string> Pair(string with)
    {
        await As(with).Follow("ayu");
        return await As("ayu").StartConversation(with);
    }

    /// <summary>How many transactions wrote these messages of <paramref name="streamId"/>.</summary>
    private async Task<long> TransactionsOf(string streamId, IEnumerable<string> messageIds)
    {
        await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"select count(distinct xmin::text) from {Store.Options.Events.DatabaseSchemaName}.mt_events " +
            "where stream_id = @id and data->>'messageId' = any(@ids)", connection);
        command.Parameters.AddWithValue("id", streamId);
        command.Parameters.AddWithValue("ids", messageIds.ToArray());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task commands_on_one_conversation_in_one_batch_each_decide_on_what_the_earlier_left()
    {
        var chat = await Pair("budi");
        var pipeline = NewPipeline();
        Task<Paced> first = null!, reply = null!, repeat = null!, last = null!;

        await OneBatch(pipeline,
        [
            () => first = Send(pipeline, chat, "m1", "ayu"),
            () => reply = Send(pipeline, chat, "m2", "budi", replyTo: "m1"),
            () => repeat = Send(pipeline, chat, "m1", "ayu"),
            () => last = Send(pipeline, chat, "m3", "budi"),
        ]);

        foreach (var answer in new[] { first, reply, repeat, last }) (await answer).Throttle.ShouldBeNull();
        var thread = await As("ayu").Thread(chat);
        thread.Messages.Select(m => (m.Sequence, m.Id == "m1" || m.Id == "m2" || m.Id == "m3" ? m.Id : "opening"))
            .ShouldBe([(1, "opening"), (2, "m1"), (3, "m2"), (4, "m3")], "the reply found m1 in the batch, the repeat stored nothing");
        thread.Messages.Single(m => m.Id == "m2").ReplyTo.ShouldBe("m1");
        (await TransactionsOf(chat, ["m1", "m2", "m3"])).ShouldBe(1, "one commit for the batch");
    }

    [Fact]
    public async Task a_refused_command_in_a_batch_gets_its_refusal_and_leaves_the_others_committed()
    {
        var chat = await Pair("budi");
        var pipeline = NewPipeline();
        Task<Paced> before = null!, refused = null!, after = null!;

        await OneBatch(pipeline,
        [
            () => before = Send(pipeline, chat, "m1", "ayu"),
            () => refused = Send(pipeline, chat, "m2", "cici"),
            () => after = Send(pipeline, chat, "m3", "budi"),
        ]);

        (await Should.ThrowAsync<RuleViolation>(refused)).Kind.ShouldBe(ViolationKind.NotFound);
        await before;
        await after;
        (await As("ayu").Thread(chat)).Messages.Select(m => m.Sequence).ShouldBe([1, 2, 3], "the refusal took no sequence number");
        (await As("ayu").Thread(chat)).Messages.Select(m => m.Author).ShouldBe(["ayu", "ayu", "budi"]);
    }

    [Fact]
    public async Task a_failed_commit_fails_every_caller_of_the_batch_and_stores_nothing_of_it()
    {
        await As("budi").Follow("ayu");
        var opened = await As("ayu").StartConversation("hello", ["budi"]);
        var chat = opened.ConversationId;
        var pipeline = NewPipeline();
        Task<Paced> one = null!, two = null!;
        Task<object?> breaker = null!;

        await OneBatch(pipeline,
        [
            () => one = Send(pipeline, chat, "m1", "ayu"),
            // A document the database refuses at commit: the opening message's state, inserted again.
            () => breaker = pipeline.DecideAsync(new InsertAgain(MessageState.Key(chat, opened.MessageId)), null, CancellationToken.None),
            () => two = Send(pipeline, chat, "m2", "budi"),
        ]);

        var failure = await Should.ThrowAsync<Exception>(breaker);
        (await Should.ThrowAsync<Exception>(one)).ShouldBeSameAs(failure);
        (await Should.ThrowAsync<Exception>(two)).ShouldBeSameAs(failure);
        (await As("ayu").Thread(chat)).Messages.Count.ShouldBe(1, "nothing of the batch was stored");

        var again = NewPipeline();
        await OneBatch(again, [() => one = Send(again, chat, "m1", "ayu"), () => two = Send(again, chat, "m2", "budi")]);
        await one;
        await two;
        (await As("ayu").Thread(chat)).Messages.Select(m => m.Sequence).ShouldBe([1, 2, 3], "the retries stored each message once");
    }

    [Fact]
    public async Task the_pending_pace_counts_the_messages_of_earlier_commands_in_the_same_batch_across_conversations()
    {
        var chats = new List<string>();
        foreach (var stranger in new[] { "budi", "cici", "dodi" }) chats.Add(await As("ayu").StartConversation(stranger));
        Settings.RateLimits.PendingMessagesPerMinute.ShouldBe(5, "three openings and two follow-ups fill the window");
        var pipeline = NewPipeline();
        var answers = new Task<Paced>[4];

        await OneBatch(pipeline,
        [
            () => answers[0] = Send(pipeline, chats[0], "f1", "ayu"),
            () => answers[1] = Send(pipeline, chats[1], "f2", "ayu"),
            () => answers[2] = Send(pipeline, chats[2], "f3", "ayu"),
            () => answers[3] = Send(pipeline, chats[2], "f4", "ayu"),
        ]);

        var throttles = (await Task.WhenAll(answers)).Select(a => a.Throttle?.Refused ?? false).ToList();
        throttles.ShouldBe([false, false, true, true]);
        await using var session = Store.QuerySession();
        (await session.Events.QueryRawEventDataOnly<PendingMessageSuppressedByRateLimit>().CountAsync()).ShouldBe(1, "the first refusal recorded");
        (await As("dodi").Thread(chats[2])).Messages.Count.ShouldBe(1);
    }

    [Fact]
    public async Task a_caller_that_gives_up_before_its_batch_is_taken_is_not_decided()
    {
        var chat = await Pair("budi");
        var pipeline = NewPipeline();
        using var giveUp = new CancellationTokenSource();
        Task<Paced> abandoned = null!, kept = null!;

        await OneBatch(pipeline,
        [
            () => abandoned = pipeline.DecideAsync(new SendMessageHandler.Sending(new SendMessage(chat, "gone", "ayu", "never", null), Settings),
                null, giveUp.Token),
            () => giveUp.CancelAsync(),
            () => kept = Send(pipeline, chat, "kept", "budi"),
        ]);

        await Should.ThrowAsync<OperationCanceledException>(abandoned);
        await kept;
        (await As("ayu").Thread(chat)).Messages.Skip(1).Select(m => m.Id).ShouldBe(["kept"], "the abandoned message was never stored");
    }

    [Fact]
    public async Task many_senders_over_http_and_the_bus_in_several_conversations_all_land_in_order_without_gaps()
    {
        var members = new[] { "budi", "cici", "dodi", "eko" };
        var chats = new Dictionary<string, string>();
        foreach (var member in members) chats[member] = await Pair(member);

        var sends = members.ToDictionary(member => member, member => Enumerable.Range(0, 10).SelectMany(i => new[]
        {
            As(member).Say(chats[member], $"{member} {i}"),
            Task.Run(async () =>
            {
                var id = $"bus-{member}-{i}";
                using var scope = Host.Services.CreateScope();
                await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<Paced>(new SendMessage(chats[member], id, "ayu", $"ayu {i}", null));
                return id;
            }),
        }).ToList());
        await Task.WhenAll(sends.Values.SelectMany(s => s));

        var transactions = 0L;
        foreach (var member in members)
        {
            var thread = await As("ayu").Thread(chats[member], "?limit=200");
            thread.Messages.Select(m => m.Sequence).ShouldBe(Enumerable.Range(1, 21).Select(i => (long)i), $"the conversation with {member}, gapless");
            thread.Messages.Skip(1).Select(m => m.Id).ShouldBe(sends[member].Select(s => s.Result), ignoreOrder: true, "each acknowledged message once");
            transactions += await TransactionsOf(chats[member], sends[member].Select(s => s.Result));
        }
        var sent = sends.Values.SelectMany(s => s).Select(s => s.Result).ToList();
        sent.Distinct().Count().ShouldBe(80);
        await using (var connection = new NpgsqlConnection(AppFixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var uncorrelated = new NpgsqlCommand(
                $"select count(*) from {Store.Options.Events.DatabaseSchemaName}.mt_events where stream_id = any(@ids) and correlation_id is null", connection);
            uncorrelated.Parameters.AddWithValue("ids", chats.Values.ToArray());
            ((long)(await uncorrelated.ExecuteScalarAsync())!).ShouldBe(0, "each event keeps its own command's correlation id");
        }
        output.WriteLine($"80 messages in 4 conversations, written by {transactions} transactions (counted per conversation)");
    }

    [Fact]
    public async Task a_batch_reads_the_inline_views_it_updates_with_its_locks_and_not_again_at_its_commit()
    {
        var (withBudi, withCici) = (await Pair("budi"), await Pair("cici"));
        var pipeline = NewPipeline();
        using var spec = new System.Diagnostics.Activity("spec").Start();
        using var viewReads = new StatementTrace(text => text.Contains("from backchannel.mt_doc_conversationview", StringComparison.OrdinalIgnoreCase),
            within: spec.TraceId);
        Task<Paced>[] answers = null!;

        await OneBatch(pipeline,
        [
            () => (answers = [Send(pipeline, withBudi, "m1", "ayu"), Send(pipeline, withCici, "m2", "ayu"),
                Send(pipeline, withBudi, "m3", "budi", replyTo: "m1")])[0],
        ]);
        spec.Stop();

        await Task.WhenAll(answers);
        viewReads.Texts.Count.ShouldBe(1, "one round trip reads both conversations' views:\n" + string.Join("\n---\n", viewReads.Texts));
        viewReads.Texts[0].ShouldContain("for update", Case.Insensitive, "the views are read in the round trip that locks the streams");
        var inbox = await As("ayu").Inbox();
        inbox.Single(c => c.ConversationId == withBudi).LastMessage!.Text.ShouldBe("budi: m3", "the view the commit wrote holds the whole batch");
        inbox.Single(c => c.ConversationId == withCici).LastMessage!.Text.ShouldBe("ayu: m2");
    }

    [Fact]
    public async Task a_batch_holds_the_row_lock_of_each_stream_and_the_pace_lock_of_a_requester_before_it_decides()
    {
        var pending = await As("ayu").StartConversation("budi");
        var pipeline = NewPipeline();
        var probe = new ProbeLocks(pending, RateLimitLock.Key("pending-messages", "ayu"), Store.Options.Events.DatabaseSchemaName);
        Task<(string, bool)> probed = null!;

        await OneBatch(pipeline,
        [
            () => Send(pipeline, pending, "m1", "ayu"),
            () => probed = pipeline.DecideAsync(probe, null, CancellationToken.None),
        ]);

        var (row, advisory) = await probed;
        row.ShouldBe(PostgresErrorCodes.LockNotAvailable, "another transaction cannot lock the conversation's stream row meanwhile");
        advisory.ShouldBeFalse("nor take the requester's pace lock");
    }

    /// <summary>A job whose only effect is a document the database refuses at commit (an insert of an id that exists).</summary>
    private sealed class InsertAgain(string messageStateKey) : Pipelined<object?>
    {
        public override IReadOnlyList<StreamRef> Streams => [];

        public override Decided Decide(Batch batch, DateTimeOffset now)
        {
            batch.Session.Insert(new MessageState("ayu", 1, false, [], []) { Id = messageStateKey });
            return new Decided([], null);
        }
    }

    /// <summary>While its batch holds its locks, tries them from another connection.</summary>
    private sealed class ProbeLocks(string streamId, string paceLock, string schema) : Pipelined<(string, bool)>
    {
        private (string Row, bool Advisory) _probed;

        public override IReadOnlyList<StreamRef> Streams { get; } = [StreamRef.Of<Conversation>(streamId)];

        public override async Task PrepareAsync(Batch batch, CancellationToken ct)
        {
            await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
            await connection.OpenAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using var row = new NpgsqlCommand($"select 1 from {schema}.mt_streams where id = @id for update nowait", connection, transaction);
            row.Parameters.AddWithValue("id", streamId);
            try
            {
                await row.ExecuteScalarAsync(ct);
                _probed.Row = "free";
            }
            catch (PostgresException e)
            {
                _probed.Row = e.SqlState;
            }
            await transaction.RollbackAsync(ct);
            await using var advisory = new NpgsqlCommand("select pg_try_advisory_xact_lock(hashtextextended(@key, 0))", connection);
            advisory.Parameters.AddWithValue("key", paceLock);
            _probed.Advisory = (bool)(await advisory.ExecuteScalarAsync(ct))!;
        }

        public override Decided Decide(Batch batch, DateTimeOffset now) => new([], _probed);
    }
}
