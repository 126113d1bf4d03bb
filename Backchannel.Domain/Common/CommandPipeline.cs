using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using System.Threading.Channels;
using Backchannel.Domain.Conversations;
using JasperFx.Events;
using Marten;
using Marten.Services.BatchQuerying;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wolverine;

namespace Backchannel.Domain.Common;

/// <summary>
/// The one I/O shell of Backchannel's stream decisions, with group commit: commands queue here, and one writer per
/// node takes whatever is waiting, locks every stream of the batch in one global order, loads their state and the
/// documents the decisions name in one round trip, runs each pure decision in turn (a later command on a stream decides
/// on the state the earlier one left), appends, and commits once. Each caller is answered only after that commit.
/// Public only because Wolverine's handlers take it; send the commands through <c>IMessageBus</c>.
/// </summary>
public sealed class CommandPipeline
{
    /// <summary>The most commands one transaction decides: what is waiting beyond it goes in the next.</summary>
    internal const int MaxBatch = 64;

    /// <summary>
    /// Writers per node: one, so a node's batches never wait on each other. A batch waiting on a lock held elsewhere
    /// (a long transaction, another node's batch) holds up the node's other pipelined commands meanwhile.
    /// </summary>
    internal const int Writers = 1;

    private readonly Channel<Pipelined> _queue = Channel.CreateBounded<Pipelined>(
        new BoundedChannelOptions(MaxBatch * 64) { SingleReader = false, FullMode = BoundedChannelFullMode.Wait });
    private readonly IBackchannelStore _store;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<StreamView> _views;

    /// <summary>A pipeline on <paramref name="store"/>; <paramref name="views"/> are the inline views kept per stream,
    /// read with the locks so the commit does not read them again.</summary>
    internal CommandPipeline(IBackchannelStore store, TimeProvider clock, ILogger<CommandPipeline> logger, IReadOnlyList<StreamView>? views = null)
    {
        _store = store;
        _clock = clock;
        _logger = logger;
        _views = views ?? [];
    }

    /// <summary>
    /// Queues <paramref name="job"/> and answers once its batch has committed, or with its own refusal, or with the
    /// failure of its batch's commit. A caller that gives up before the writer takes the job takes it out; once taken,
    /// it is decided with its batch (a client's retry with the same ids is then a no-op).
    /// </summary>
    internal async Task<TResult> DecideAsync<TResult>(Pipelined<TResult> job, IMessageContext? context, CancellationToken ct)
    {
        job.Actor = ActorOf(context?.Envelope?.Message);
        job.CorrelationId = context?.CorrelationId;
        job.CausationId = context?.Envelope?.Id.ToString();
        job.Trace = System.Diagnostics.Activity.Current?.Context;
        job.Cancellation = ct;
        await _queue.Writer.WriteAsync(job, ct);
        return await job.Answer;
    }

    /// <summary>The user who writes with <paramref name="command"/>, when it is a user's command.</summary>
    private static string? ActorOf(object? command) =>
        command is not null && Safety.WriteCommands.Actors.TryGetValue(command.GetType(), out var actor) && actor(command) is { } id && Rules.IsHandle(id)
            ? id
            : null;

    /// <summary>One stream decision through the pipeline: lock the stream, decide on its state, append.</summary>
    internal Task<IReadOnlyList<object>> DecideAsync<TState>(string streamId, Func<TState?, IReadOnlyList<object>> decide,
        IMessageContext? context, CancellationToken ct) where TState : class =>
        DecideAsync(new StreamJob<TState>(streamId, [], decide), context, ct);

    /// <summary>A decision on a conversation that also reads the state of the named messages.</summary>
    internal Task<IReadOnlyList<object>> DecideOnMessagesAsync(string conversationId, IEnumerable<string?> messageIds,
        Func<Conversation?, IReadOnlyList<object>> decide, IMessageContext? context, CancellationToken ct) =>
        DecideAsync(new StreamJob<Conversation>(conversationId, messageIds.OfType<string>().ToList(), decide), context, ct);

    /// <summary>The writers: run until the host stops, then fail whatever is still queued.</summary>
    internal Task RunAsync(CancellationToken stopping, int writers = Writers) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriteAsync(stopping), CancellationToken.None)));

    private async Task WriteAsync(CancellationToken stopping)
    {
        var carried = new List<Pipelined>();
        try
        {
            while (true)
            {
                // No timer: a lone command is decided as soon as it arrives; under load, whatever queued meanwhile.
                if (carried.Count == 0 && !await _queue.Reader.WaitToReadAsync(stopping)) break;
                var batch = carried;
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var job))
                {
                    if (job.Cancellation.IsCancellationRequested) job.Cancel();
                    else batch.Add(job);
                }
                carried = batch.Count == 0 ? [] : await RunBatchAsync(batch);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        _queue.Writer.TryComplete();
        var stopped = new OperationCanceledException("The node is stopping; the command was not decided.");
        foreach (var job in carried) job.Fail(stopped);
        while (_queue.Reader.TryRead(out var left)) left.Fail(stopped);
    }

    /// <summary>Decides one batch in one transaction; returns the jobs deferred to the next batch.</summary>
    private async Task<List<Pipelined>> RunBatchAsync(List<Pipelined> jobs)
    {
        var deferred = new List<Pipelined>();
        var decided = new List<(Pipelined Job, object? Answer)>();
        try
        {
            // The batch's I/O is not cancelled by any one caller (nor by the host stopping): it is short, and
            // abandoning it half-way would fail the others.
            var ct = CancellationToken.None;
            // The batch's statements belong to no one caller's trace: a span of its own, linked to each caller's.
            using var activity = BackchannelTelemetry.Source.StartActivity("backchannel.pipeline.batch", System.Diagnostics.ActivityKind.Internal,
                parentContext: default, tags: [new("backchannel.batch.size", jobs.Count)],
                links: jobs.Where(j => j.Trace is not null).Select(j => new System.Diagnostics.ActivityLink(j.Trace!.Value)));
            await using var session = _store.LightweightSession();
            var batch = new Batch(session, _views);
            await batch.LoadAsync(jobs, ct);
            var locks = jobs.SelectMany(j => j.Locks(batch)).Distinct().Order(StringComparer.Ordinal).ToList();
            if (locks.Count > 0) await batch.LockAsync(locks, ct);
            foreach (var job in jobs) await job.PrepareAsync(batch, ct);

            foreach (var job in jobs)
            {
                try
                {
                    // A suspended user reads but does not write (SuspensionGuard): judged on the batch's state, so a
                    // suspension decided earlier in this batch holds for the commands after it.
                    if (batch.SuspensionOf(job) is { } suspension && suspension.HoldsAt(_clock.GetUtcNow()))
                    {
                        job.Fail(Safety.SuspensionGuard.Suspended(suspension));
                        continue;
                    }
                    if (!batch.CanDecide(job))
                    {
                        deferred.Add(job);
                        continue;
                    }
                    var decision = job.Decide(batch, _clock.GetUtcNow());
                    if (decision.Deferred)
                    {
                        deferred.Add(job);
                        continue;
                    }
                    batch.Append(job, decision.Events);
                    decided.Add((job, decision.Answer));
                }
                catch (Exception refusal)
                {
                    // A refusal (or a bug in one decision) is that command's alone: it contributed nothing.
                    job.Fail(refusal);
                }
            }
            if (decided.Count > 0) await session.SaveChangesAsync(ct);
        }
        catch (Exception failure)
        {
            _logger.LogDebug(failure, "A batch of {Count} commands failed; each caller gets the failure", jobs.Count);
            foreach (var (job, _) in decided) job.Fail(failure);
            foreach (var job in jobs.Except(deferred).Where(j => !j.Answered)) job.Fail(failure);
            return deferred;
        }
        foreach (var (job, answer) in decided) job.Succeed(answer);
        return deferred;
    }
}

/// <summary>Runs <see cref="CommandPipeline"/>'s writer for the life of the host.</summary>
internal sealed class CommandPipelineWriter(CommandPipeline pipeline) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => pipeline.RunAsync(stoppingToken);
}

/// <summary>
/// A command as the pipeline sees it: the streams it writes (locked), the messages it names (loaded), the advisory
/// locks and extra reads it needs under them, and its pure decision on the batch's current state.
/// </summary>
internal abstract class Pipelined
{
    /// <summary>The user who sends the command, whose suspension the batch checks; null for no user's command.</summary>
    public string? Actor { get; set; }
    public string? CorrelationId { get; set; }
    public string? CausationId { get; set; }
    public CancellationToken Cancellation { get; set; }
    public System.Diagnostics.ActivityContext? Trace { get; set; }

    /// <summary>The streams the decision reads and appends to; it is locked before its state is read.</summary>
    public abstract IReadOnlyList<StreamRef> Streams { get; }

    /// <summary>The messages, by conversation, whose <see cref="MessageState"/> the decision reads.</summary>
    public virtual IEnumerable<(string ConversationId, string MessageId)> Messages => [];

    /// <summary>Advisory locks (<see cref="RateLimitLock"/> keys) the decision needs, judged on the state as loaded.</summary>
    public virtual IEnumerable<string> Locks(Batch batch) => [];

    /// <summary>Reads the decision needs under its advisory locks, before any decision of the batch.</summary>
    public virtual Task PrepareAsync(Batch batch, CancellationToken ct) => Task.CompletedTask;

    /// <summary>The pure decision on the batch's current state; throws its refusal.</summary>
    public abstract Decided Decide(Batch batch, DateTimeOffset now);

    public abstract bool Answered { get; }
    public abstract void Succeed(object? answer);
    public abstract void Fail(Exception failure);
    public abstract void Cancel();
}

/// <summary>A job with the answer its caller awaits.</summary>
internal abstract class Pipelined<TResult> : Pipelined
{
    private readonly TaskCompletionSource<TResult> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResult> Answer => _answer.Task;
    public override bool Answered => _answer.Task.IsCompleted;
    public override void Succeed(object? answer) => _answer.TrySetResult((TResult)answer!);
    public override void Fail(Exception failure) => _answer.TrySetException(failure);
    public override void Cancel() => _answer.TrySetCanceled(Cancellation);
}

/// <summary>What a decision returned: its events and its caller's answer, or "not in this batch".</summary>
internal sealed record Decided(IReadOnlyList<object> Events, object? Answer)
{
    /// <summary>
    /// The decision needs what this batch cannot give exactly (a lock it did not take): it runs first in the next
    /// batch, where it decides on committed state.
    /// </summary>
    public static readonly Decided Defer = new([], null) { Deferred = true };

    public bool Deferred { get; private init; }
}

/// <summary>A single-stream decision, the shape most commands have.</summary>
internal sealed class StreamJob<TState>(string streamId, IReadOnlyList<string> messageIds, Func<TState?, IReadOnlyList<object>> decide)
    : Pipelined<IReadOnlyList<object>> where TState : class
{
    public override IReadOnlyList<StreamRef> Streams { get; } = [StreamRef.Of<TState>(streamId)];

    public override IEnumerable<(string ConversationId, string MessageId)> Messages => messageIds.Select(m => (streamId, m));

    public override Decided Decide(Batch batch, DateTimeOffset now)
    {
        var events = decide(batch.State<TState>(streamId));
        return new Decided(events, events);
    }
}

/// <summary>A stream a job writes, with its state's type: how it is fetched for exclusive writing, and its place in the lock order.</summary>
internal sealed record StreamRef(string Id, Type State, int Rank, Func<IBatchedQuery, string, Task<LockedStream>> Fetch)
{
    /// <summary>
    /// The order every multi-stream write locks in, the one <see cref="WriteSet"/>'s handlers use: event, room,
    /// participant, question, upvote, conversation, then a user's streams; within a kind, by id (ordinal).
    /// </summary>
    private static readonly Type[] LockOrder =
    [
        typeof(Planning.PlannedEvent), typeof(Rooms.Room), typeof(Rooms.Participant), typeof(Questions.Question),
        typeof(Questions.Upvote), typeof(Conversation), typeof(People.UserProfile),
    ];

    public static StreamRef Of<TState>(string id) where TState : class
    {
        var rank = Array.IndexOf(LockOrder, typeof(TState));
        return new(id, typeof(TState), rank < 0 ? LockOrder.Length : rank,
            async (query, key) => new LockedStream<TState>(await query.Events.FetchForExclusiveWriting<TState>(key)));
    }
}

/// <summary>A stream locked by the batch: its current state (folded in memory past the stored one) and its appends.</summary>
internal abstract class LockedStream
{
    public abstract object? Stored { get; }
    public abstract bool IsOfAnotherKind { get; }
    public abstract void Append(IEnumerable<object> events);

    /// <summary>The state as the batch's decisions so far left it.</summary>
    public object? State { get; set; }

    /// <summary>An event of the batch could not be folded in memory: later decisions on the stream wait for the next batch.</summary>
    public bool Unfoldable { get; set; }
}

internal sealed class LockedStream<TState>(IEventStream<TState> stream) : LockedStream where TState : class
{
    public override object? Stored => stream.Aggregate;
    public override bool IsOfAnotherKind => stream.IsOfAnotherKind();
    public override void Append(IEnumerable<object> events) => stream.AppendMany(events);
}

/// <summary>
/// One batch's transaction: the locked streams with their state in memory, the loaded message states, the advisory
/// locks taken, and what jobs read under them.
/// </summary>
internal sealed class Batch(IDocumentSession session, IReadOnlyList<StreamView> views)
{
    private readonly Dictionary<string, LockedStream> _streams = new(StringComparer.Ordinal);
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Safety.Suspension> _suspensions = new(StringComparer.Ordinal);

    public IDocumentSession Session => session;

    /// <summary>What jobs read in <see cref="Pipelined.PrepareAsync"/>, for the decisions of the batch.</summary>
    public Dictionary<string, object> Reads { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Locks every stream of the batch in the global order and loads states, message states and the inline views the
    /// commit will update: one round trip. The views and message states go to the session's identity map (a batched
    /// query runs its statements in order, so they are read under the locks), where the commit's projections find them.
    /// </summary>
    public async Task LoadAsync(IReadOnlyList<Pipelined> jobs, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        session.UseIdentityMapFor<MessageState>();
        var query = session.CreateBatchQuery();
        var streams = jobs.SelectMany(j => j.Streams).DistinctBy(s => s.Id, StringComparer.Ordinal)
            .OrderBy(s => s.Rank).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
        var fetches = streams.Select(s => (s.Id, Task: s.Fetch(query, s.Id))).ToList();
        foreach (var view in views)
        {
            var ids = streams.Where(s => s.State == view.State).Select(s => s.Id).ToArray();
            if (ids.Length > 0) _ = view.Load(session, query, ids);
        }
        var named = jobs.SelectMany(j => j.Messages).DistinctBy(m => MessageState.Key(m.ConversationId, m.MessageId))
            .ToDictionary(m => MessageState.Key(m.ConversationId, m.MessageId), m => m.ConversationId, StringComparer.Ordinal);
        var messages = named.Count > 0 ? query.LoadMany<MessageState>().ById(named.Keys.ToArray()) : Task.FromResult<IReadOnlyList<MessageState>>([]);
        var actors = jobs.Select(j => j.Actor).OfType<string>().Distinct(StringComparer.Ordinal).Select(Safety.Suspension.StreamOf).ToArray();
        var suspensions = actors.Length > 0 ? query.LoadMany<Safety.Suspension>().ById(actors) : Task.FromResult<IReadOnlyList<Safety.Suspension>>([]);
        await query.Execute(ct);
        foreach (var suspension in await suspensions) _suspensions[suspension.Id] = suspension;

        var byConversation = (await messages).ToLookup(m => named[m.Id], StringComparer.Ordinal);
        foreach (var (id, fetch) in fetches)
        {
            var stream = await fetch;
            stream.State = stream.Stored is Conversation conversation
                ? conversation with { Messages = byConversation[id].ToImmutableDictionary(m => m.MessageId) }
                : stream.Stored;
            _streams[id] = stream;
        }
    }

    /// <summary>Takes these advisory locks, in the order given (sorted), after every stream lock of the batch.</summary>
    public async Task LockAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        await RateLimitLock.AcquireAllAsync(session, keys, ct);
        _locks.UnionWith(keys);
    }

    public bool Holds(string lockKey) => _locks.Contains(lockKey);

    /// <summary>
    /// The suspension of <paramref name="job"/>'s actor: as this batch left it when the batch writes that stream, else as
    /// committed when the batch began.
    /// </summary>
    public Safety.Suspension? SuspensionOf(Pipelined job)
    {
        if (job.Actor is null) return null;
        var id = Safety.Suspension.StreamOf(job.Actor);
        return _streams.TryGetValue(id, out var stream) ? stream.State as Safety.Suspension : _suspensions.GetValueOrDefault(id);
    }

    /// <summary>The current state of a stream the batch locked (null when it does not exist or is of another kind).</summary>
    public TState? State<TState>(string streamId) where TState : class =>
        _streams.TryGetValue(streamId, out var stream)
            ? stream.State as TState
            : throw new InvalidOperationException($"Stream '{streamId}' is not one this batch locked.");

    /// <summary>The current states of the batch's streams of one kind.</summary>
    public IEnumerable<TState> States<TState>() where TState : class => _streams.Values.Select(s => s.State).OfType<TState>();

    /// <summary>Whether <paramref name="job"/>'s streams hold a state the batch knows exactly.</summary>
    public bool CanDecide(Pipelined job) => job.Streams.All(s => !_streams[s.Id].Unfoldable);

    /// <summary>
    /// Appends a decision's events, each to the stream it declares (one of the job's), with the caller's correlation
    /// and causation, and folds them into the streams' state for the decisions after it. Checks every event's stream
    /// before appending any, so a refusal here leaves nothing behind.
    /// </summary>
    public void Append(Pipelined job, IReadOnlyList<object> events)
    {
        if (events.Count == 0) return;
        var routed = events.Select(e => (Event: e, Stream: IStreamEvent.StreamOf(e))).ToList();
        foreach (var (e, streamId) in routed)
        {
            if (!job.Streams.Any(s => s.Id == streamId) || !_streams.TryGetValue(streamId, out var target))
                throw new InvalidOperationException($"{e.GetType().Name} belongs to stream '{streamId}', which this command did not lock.");
            if (target.IsOfAnotherKind) throw StreamKinds.IdInUse(null);
        }
        foreach (var group in routed.GroupBy(r => r.Stream, StringComparer.Ordinal))
        {
            var stream = _streams[group.Key];
            stream.Append(group.Select(r =>
            {
                var wrapped = session.Events.BuildEvent(r.Event);
                wrapped.CorrelationId = job.CorrelationId;
                wrapped.CausationId = job.CausationId;
                return (object)wrapped;
            }).ToList());
            foreach (var (e, _) in group)
            {
                if (stream.Unfoldable) break;
                if (StateFold.TryApply(stream.State, e, out var next)) stream.State = next;
                else stream.Unfoldable = true;
            }
        }
    }
}

/// <summary>Folds an event into a decision state in memory, with the state's own <c>Create</c> and <c>Apply</c>, as Marten does.</summary>
internal static class StateFold
{
    private static readonly ConcurrentDictionary<(Type State, Type Event), MethodInfo?> Methods = new();

    public static bool TryApply(object? state, object e, out object? next)
    {
        next = state;
        if (state is null) return false; // a stream started in this batch: let its state come from the store next time
        var method = Methods.GetOrAdd((state.GetType(), e.GetType()), key =>
            key.State.GetMethod("Apply", BindingFlags.Public | BindingFlags.Instance, [key.Event]));
        if (method is null || !method.ReturnType.IsAssignableTo(state.GetType())) return false;
        try
        {
            next = method.Invoke(state, [e]);
        }
        catch (TargetInvocationException)
        {
            // The events are appended already: a fold that fails only makes the later commands on the stream wait.
            next = state;
            return false;
        }
        return next is not null;
    }
}
