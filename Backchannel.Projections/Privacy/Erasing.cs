using System.Text.Json;
using System.Text.Json.Nodes;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Privacy;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Push;
using Backchannel.Projections.Rooms;
using Backchannel.Projections.Safety;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Safety;
using FluentValidation;
using JasperFx.Events;
using Marten;

namespace Backchannel.Projections.Privacy;

/// <summary>What an erasure did: the answer of <c>DELETE /me</c>, <c>POST /users/{userId}/erasure</c> and <c>erase</c>.</summary>
/// <param name="UserId">Whom it erased.</param>
/// <param name="AlreadyErased">An earlier run had completed it; this one only looked again.</param>
/// <param name="Streams">Streams holding text the user wrote.</param>
/// <param name="EventsMasked">Events this run masked (0 when everything was masked already).</param>
/// <param name="DocumentsChanged">View and state documents this run rewrote.</param>
/// <param name="RequestedAt">When the erasure was first asked for.</param>
/// <param name="ErasedAt">When it completed.</param>
public sealed record ErasureReport(
    string UserId, bool AlreadyErased, int Streams, int EventsMasked, int DocumentsChanged, DateTimeOffset RequestedAt, DateTimeOffset? ErasedAt);

/// <summary>One stream done: its key, the events masked in it and the documents rewritten for it.</summary>
public sealed record ErasureProgress(string StreamKey, int EventsMasked, int DocumentsChanged);

/// <summary>
/// Erases a user on a live store: records the request, then masks their text stream by stream (each stream's events
/// with Marten's protected-information masking, then that stream's views under the stream's lock, held only for that
/// stream), then the async views once the daemon has caught up, then records the end. Every step can be run again:
/// a run that stopped midway is completed by the next, and a run after the end masks nothing.
/// </summary>
public static class Erasing
{
    private const int ScanPage = 500;

    /// <summary>Erases <paramref name="command"/>'s user; refuses with 403 <c>operators_only</c> a user erasing someone else.</summary>
    /// <param name="store">Backchannel's store.</param>
    /// <param name="command">Whom, and who asks.</param>
    /// <param name="clock">The time recorded.</param>
    /// <param name="progress">Told as each stream is done; an exception it throws stops the run there.</param>
    /// <param name="asyncViewsTimeout">How long to wait for the async views (audit, push) to catch up before rewriting them.</param>
    /// <param name="ct">Cancels the run, which the next run completes.</param>
    public static async Task<ErasureReport> EraseUserAsync(this IDocumentStore store, EraseUser command, TimeProvider clock,
        IProgress<ErasureProgress>? progress = null, TimeSpan? asyncViewsTimeout = null, CancellationToken ct = default)
    {
        await new EraseUser.Validator().ValidateAndThrowAsync(command, ct);
        var streamId = ErasureStreams.Id(command.UserId);
        Erasure state;
        await using (var session = store.LightweightSession())
        {
            var stream = await session.Events.FetchForExclusiveWriting<Erasure>(streamId, ct);
            var events = EraseUserDecision.Decide(command, stream.Aggregate, clock.GetUtcNow());
            state = stream.Aggregate ?? Erasure.Create((ErasureRequested)events[0]);
            if (events.Count > 0) stream.AppendMany(events);
            await session.SaveChangesAsync(ct);
        }
        var completedBefore = state.ErasedAt is not null;

        var masked = 0;
        var changed = 0;
        var streams = new List<string>();
        var last = 0L;
        // A write the user had in flight when the request was recorded may commit after the first look, with a lower
        // sequence than events already seen: a second full look finds it.
        for (var pass = 0; pass < 2; pass++)
        {
            var (found, highest) = await ScanAsync(store, command.UserId, ct);
            last = Math.Max(last, highest);
            foreach (var (key, unmasked) in found)
            {
                if (!streams.Contains(key)) streams.Add(key);
                // Masked events whose views a stopped run may not have rewritten: an unfinished erasure rewrites them all.
                if (unmasked == 0 && (completedBefore || pass > 0)) continue;
                if (unmasked > 0)
                    await store.Advanced.ApplyEventDataMasking(m => m.IncludeStream(key, e => Concerns(e, command.UserId)), ct);
                var documents = await RewriteInlineViewsAsync(store, key, command.UserId, ct);
                masked += unmasked;
                changed += documents;
                progress?.Report(new ErasureProgress(key, unmasked, documents));
            }
        }

        // The async views are rewritten once the daemon has passed every masked event: an event it read before the
        // masking would otherwise be projected after the rewrite, with its text.
        // A daemon batch that loaded a conversation's audience before the masking may write it (and the items of
        // others' later events) with the old text after a rewrite: each round waits until every batch begun before
        // it has committed, and rewrites again, until a round finds nothing left to change.
        if (!completedBefore || masked > 0)
        {
            for (var round = 0; round < 5; round++)
            {
                var highWater = Math.Max(last, (await store.Advanced.FetchEventStoreStatistics(token: ct)).EventSequenceNumber);
                await AsyncViewsPassedAsync(store, highWater, asyncViewsTimeout ?? TimeSpan.FromMinutes(1), ct);
                var rewritten = 0;
                foreach (var key in streams) rewritten += await RewriteAsyncViewsAsync(store, key, command.UserId, ct);
                changed += rewritten;
                if (rewritten == 0) break;
            }
        }

        await using (var session = store.LightweightSession())
        {
            var stream = await session.Events.FetchForExclusiveWriting<Erasure>(streamId, ct);
            var events = EraseUserDecision.Complete(stream.Aggregate!, masked, changed, clock.GetUtcNow());
            if (events.Count > 0) stream.AppendMany(events);
            await session.SaveChangesAsync(ct);
            var done = stream.Aggregate!.ErasedAt ?? ((UserErased)events[0]).At;
            return new ErasureReport(command.UserId, completedBefore, streams.Count, masked, changed, state.RequestedAt, done);
        }
    }

    /// <summary>Whether the handle has been erased (or its erasure is under way): its tokens are refused.</summary>
    public static async Task<bool> IsErasedAsync(this IQuerySession session, string userId, CancellationToken ct = default) =>
        (await session.ErasedAmongAsync([userId], ct)).Count > 0;

    /// <summary>Those of <paramref name="userIds"/> that have been erased (or whose erasure is under way), in one read.</summary>
    public static async Task<IReadOnlySet<string>> ErasedAmongAsync(this IQuerySession session, IReadOnlyCollection<string> userIds, CancellationToken ct = default)
    {
        var erasures = await session.LoadManyAsync<Erasure>(ct, userIds.Distinct().Select(ErasureStreams.Id).ToArray());
        return erasures.Select(e => e.UserId).ToHashSet();
    }

    internal static bool IsWrittenBy(IEvent e, string userId) =>
        ProtectedInformation.ByType.TryGetValue(e.Data.GetType(), out var rule) && rule.WrittenBy(e.Data) == userId;

    /// <summary>Whether erasing the user masks the event's text: they wrote it, or it is about them.</summary>
    internal static bool Concerns(IEvent e, string userId) =>
        ProtectedInformation.ByType.TryGetValue(e.Data.GetType(), out var rule) && rule.Concerns(e.Data, userId);

    private sealed record Scanned(string StreamId, long Seq, string Type, JsonElement Data);

    /// <summary>
    /// The streams holding text <paramref name="userId"/> wrote, in order of first appearance, with how many of those
    /// events are not masked yet. Read in pages by sequence, without locks: writers are not held up.
    /// </summary>
    private static async Task<(IReadOnlyList<(string Stream, int Unmasked)> Found, long Highest)> ScanAsync(IDocumentStore store,
        string userId, CancellationToken ct)
    {
        var highest = 0L;
        var found = new List<(string Stream, int Unmasked)>();
        var index = new Dictionary<string, int>();
        await foreach (var (e, rule) in WrittenByAsync(store, userId, ct, concerning: true))
        {
            if (!index.TryGetValue(e.StreamKey!, out var at))
            {
                index[e.StreamKey!] = at = found.Count;
                found.Add((e.StreamKey!, 0));
            }
            var serializer = store.Options.Serializer();
            if (serializer.ToJson(rule.Mask(e.Data)) != serializer.ToJson(e.Data))
                found[at] = (found[at].Stream, found[at].Unmasked + 1);
            highest = Math.Max(highest, e.Sequence);
        }
        return (found, highest);
    }

    /// <summary>
    /// Waits until every async view (the audits, the push feed) has projected the event at <paramref name="sequence"/>:
    /// after that, nothing the daemon read before the masking can still be written.
    /// </summary>
    private static async Task AsyncViewsPassedAsync(IDocumentStore store, long sequence, TimeSpan timeout, CancellationToken ct)
    {
        var shards = store.Advanced.AllAsyncProjectionShardNames().Select(s => s.Identity).ToHashSet();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        while (true)
        {
            var progress = await store.Advanced.AllProjectionProgress(token: deadline.Token);
            var behind = shards.Where(name => !progress.Any(p => p.ShardName == name && p.Sequence >= sequence));
            if (!behind.Any()) return;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"The async views ({string.Join(", ", behind)}) did not reach event {sequence} within {timeout}: " +
                                           "is the daemon running? Run the erasure again once it is; it completes what this run began.");
            }
        }
    }

    /// <summary>
    /// Every event with text <paramref name="userId"/> wrote (or, when <paramref name="concerning"/>, also text about
    /// them), oldest first, read a page at a time.
    /// </summary>
    internal static async IAsyncEnumerable<(IEvent Event, ProtectedText Rule)> WrittenByAsync(IDocumentStore store, string userId,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct, int pageSize = ScanPage, bool concerning = false)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var rules = ProtectedInformation.All;
        // Type names are the pinned stored names and field names the rules' own: no client input reaches the text.
        string Fields(ProtectedText r) => concerning && r.SubjectField is { } subject
            ? $"(data ->> '{r.WriterField}' = ? or data ->> '{subject}' = ?)"
            : $"data ->> '{r.WriterField}' = ?";
        var match = string.Join(" or ", rules.Select(r => $"(type = '{EventNames.All[r.EventType]}' and {Fields(r)})"));
        var parameters = rules.SelectMany(r => concerning && r.SubjectField is not null ? new object[] { userId, userId } : [userId]).ToArray();
        var byName = rules.ToDictionary(r => EventNames.All[r.EventType]);
        var after = 0L;
        var serializer = store.Options.Serializer();
        while (true)
        {
            await using var session = store.QuerySession();
            var page = await session.AdvancedSql.QueryAsync<Scanned>(
                "select jsonb_build_object('streamId', stream_id, 'seq', seq_id, 'type', type, 'data', data) " +
                $"from {schema}.mt_events where seq_id > ? and ({match}) order by seq_id limit {pageSize}",
                ct, [after, .. parameters]);
            foreach (var row in page)
            {
                var rule = byName[row.Type];
                var data = serializer.FromJson(rule.EventType, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(row.Data)));
                var e = new Event<object>(data) { StreamKey = row.StreamId, Sequence = row.Seq, EventTypeName = row.Type };
                yield return (e, rule);
                after = row.Seq;
            }
            if (page.Count < pageSize) yield break;
        }
    }

    /// <summary>
    /// Rewrites the inline views and state of one stream from its (masked) events, under the stream's lock so that no
    /// writer's inline update interleaves: what a rebuild would write, document for document.
    /// </summary>
    private static async Task<int> RewriteInlineViewsAsync(IDocumentStore store, string key, string userId, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var kind = await KindOfAsync(session, key, ct);
        var changed = 0;
        switch (kind)
        {
            case StreamKind.Conversation:
                await session.Events.FetchForExclusiveWriting<Conversation>(key, ct);
                changed += await ReaggregateAsync<Conversation>(session, key, ct);
                changed += await ReaggregateAsync<ConversationView>(session, key, ct);
                changed += await RewriteThreadAsync(session, key, userId, ct);
                changed += await RewriteReportCasesAsync(session, key, ct);
                break;
            case StreamKind.Room:
                await session.Events.FetchForExclusiveWriting<Room>(key, ct);
                changed += await ReaggregateAsync<Room>(session, key, ct);
                changed += await ReaggregateAsync<RoomView>(session, key, ct);
                break;
            case StreamKind.Question:
                await session.Events.FetchForExclusiveWriting<Question>(key, ct);
                changed += await ReaggregateAsync<Question>(session, key, ct);
                changed += await ReaggregateAsync<QuestionView>(session, key, ct);
                break;
            case StreamKind.Event:
                await session.Events.FetchForExclusiveWriting<PlannedEvent>(key, ct);
                changed += await ReaggregateAsync<PlannedEvent>(session, key, ct);
                changed += await ReaggregateAsync<EventView>(session, key, ct);
                break;
        }
        await session.SaveChangesAsync(ct);
        return changed;
    }

    private enum StreamKind { Other, Conversation, Room, Question, Event }

    private static async Task<StreamKind> KindOfAsync(IQuerySession session, string key, CancellationToken ct)
    {
        var first = (await session.Events.FetchStreamAsync(key, 1, token: ct)).FirstOrDefault()?.Data;
        return first switch
        {
            ConversationStarted => StreamKind.Conversation,
            RoomStarted => StreamKind.Room,
            QuestionAsked => StreamKind.Question,
            EventScheduled => StreamKind.Event,
            _ => StreamKind.Other,
        };
    }

    private static async Task<int> ReaggregateAsync<T>(IDocumentSession session, string key, CancellationToken ct) where T : class
    {
        var rebuilt = await session.Events.AggregateStreamAsync<T>(key, token: ct);
        if (rebuilt is null) return 0;
        var stored = await session.Json.FindByIdAsync<T>(key, ct);
        if (stored is not null && SameJson(stored, session.DocumentStore.Options.Serializer().ToJson(rebuilt))) return 0;
        session.Store(rebuilt);
        return 1;
    }

    /// <summary>
    /// The report cases of a conversation, folded again from its (masked) events: a case keeps who reported and when,
    /// and the decisions, but no reason the erased user wrote or that was about them. Every event of a case is on its
    /// conversation's stream, whose lock the caller holds.
    /// </summary>
    private static async Task<int> RewriteReportCasesAsync(IDocumentSession session, string conversationId, CancellationToken ct)
    {
        var cases = new Dictionary<string, ReportCase>();
        foreach (var e in await session.Events.FetchStreamAsync(conversationId, token: ct))
        {
            switch (e)
            {
                case IEvent<RequestReported> r:
                    var request = ReportIds.ForRequest(r.Data.ConversationId, r.Data.From);
                    cases[request] = cases.TryGetValue(request, out var filed) ? filed.Apply(r) : ReportCase.Create(r);
                    break;
                case IEvent<MessageReported> m:
                    var message = ReportIds.ForMessage(m.Data.ConversationId, m.Data.MessageId);
                    cases[message] = cases.TryGetValue(message, out var reported) ? reported.Apply(m) : ReportCase.Create(m);
                    break;
                case IEvent<ReportDismissed> d when cases.TryGetValue(d.Data.ReportId, out var dismissed):
                    cases[d.Data.ReportId] = dismissed.Apply(d.Data);
                    break;
                case IEvent<MessageRemovedByModeration> x when cases.TryGetValue(x.Data.ReportId, out var removed):
                    cases[x.Data.ReportId] = removed.Apply(x.Data);
                    break;
            }
        }
        var changed = 0;
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var rebuilt in cases.Values)
        {
            var stored = await session.Json.FindByIdAsync<ReportCase>(rebuilt.Id, ct);
            if (stored is not null && SameJson(stored, serializer.ToJson(rebuilt))) continue;
            session.Store(rebuilt);
            changed++;
        }
        return changed;
    }

    /// <summary>The messages the user wrote (or edited) in a conversation, folded again from the masked events.</summary>
    private static async Task<int> RewriteThreadAsync(IDocumentSession session, string conversationId, string userId, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(conversationId, token: ct);
        var theirs = events.Where(e => IsWrittenBy(e, userId)).Select(e => e.Data switch
        {
            MessageSent m => m.MessageId,
            ThanksSent t => t.MessageId,
            MessageEdited m => m.MessageId,
            _ => null,
        }).OfType<string>().ToHashSet();
        if (theirs.Count == 0) return 0;
        var messages = new Dictionary<string, MessageState>();
        foreach (var e in events) MessageState.Fold(messages, e.Data);
        var changed = 0;
        var serializer = session.DocumentStore.Options.Serializer();
        foreach (var message in messages.Values.Where(m => theirs.Contains(m.MessageId)))
        {
            var stored = await session.Json.FindByIdAsync<MessageState>(message.Id, ct);
            if (stored is not null && SameJson(stored, serializer.ToJson(message))) continue;
            session.Store(message);
            changed++;
        }
        return changed;
    }

    /// <summary>
    /// The audit entries of the events the user wrote, written again by the audit projections from the masked events,
    /// and the push feed's copies of them: the messages' items, the titles a conversation's items carried while the
    /// user's name for the group held, and the conversation's audience.
    /// </summary>
    private static async Task<int> RewriteAsyncViewsAsync(IDocumentStore store, string key, string userId, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        // The audience first: the events read after it reach at least as far as it does.
        var audience = await session.LoadAsync<ConversationAudience>(key, ct);
        var events = await session.Events.FetchStreamAsync(key, token: ct);
        var theirs = events.Where(e => Concerns(e, userId)).ToList();
        var changed = 0;

        var auditIds = theirs.Select(e => e.Id).ToArray();
        var audited = (await session.LoadManyAsync<RequestAuditEntry>(ct, auditIds)).Where(a => a is not null).Select(a => (a.Id, (object)a))
            .Concat((await session.LoadManyAsync<RoomAuditEntry>(ct, auditIds)).Where(a => a is not null).Select(a => (a.Id, (object)a)))
            .Concat((await session.LoadManyAsync<ModerationAuditEntry>(ct, auditIds)).Where(a => a is not null).Select(a => (a.Id, (object)a)))
            .ToDictionary(a => a.Id, a => a.Item2);
        var json = store.Options.Serializer();
        foreach (var e in theirs)
        {
            if (!audited.TryGetValue(e.Id, out var stored) || AuditEntryOf(e) is not { } entry || json.ToJson(entry) == json.ToJson(stored)) continue;
            session.Store(entry);
            changed++;
        }

        var positions = theirs.Where(e => e.Data is MessageSent or ThanksSent or MessageEdited).ToDictionary(e => e.Sequence);
        var renames = events.Where(e => e.Data is GroupRenamed).ToList();
        var removed = events.Select(e => e.Data).OfType<MessageRemovedByModeration>().Select(m => m.MessageId).ToHashSet();
        var firstRename = renames.FirstOrDefault(e => IsWrittenBy(e, userId))?.Sequence;
        if (positions.Count > 0 || firstRename is not null)
        {
            // By position, which the feed indexes: the messages' own items, and every conversation item from the
            // user's first name for the group on.
            var at = positions.Keys.ToArray();
            var items = firstRename is { } from
                ? await session.Query<FeedItem>().Where(f => at.Contains(f.Position) || (f.Position >= from && f.StreamKey == key)).ToListAsync(ct)
                : await session.Query<FeedItem>().Where(f => at.Contains(f.Position)).ToListAsync(ct);
            foreach (var item in items)
            {
                if (positions.TryGetValue(item.Position, out var message) && item.Kind != ConversationFeedSource.ConversationKind)
                {
                    var data = JsonSerializer.SerializeToElement(message.Data, message.Data.GetType(), FeedWriter.PayloadJson);
                    // Moderation took the text of a removed message's items already, as a rebuild does after the masking.
                    if (removed.Contains(((IMessageEvent)message.Data).MessageId))
                    {
                        var node = JsonNode.Parse(data.GetRawText())!.AsObject();
                        node["text"] = null;
                        data = JsonSerializer.SerializeToElement(node, FeedWriter.PayloadJson);
                    }
                    if (JsonElement.DeepEquals(data, item.Data)) continue;
                    item.Data = data;
                }
                else if (item.Kind == ConversationFeedSource.ConversationKind
                         && renames.LastOrDefault(r => r.Sequence <= item.Position) is { } rename && IsWrittenBy(rename, userId))
                {
                    var node = JsonNode.Parse(item.Data.GetRawText())!.AsObject();
                    if (node["title"]?.GetValue<string>() == ((GroupRenamed)rename.Data).Title) continue;
                    node["title"] = ((GroupRenamed)rename.Data).Title;
                    item.Data = JsonSerializer.SerializeToElement(node);
                }
                else continue;
                session.Store(item);
                changed++;
            }
        }
        if (audience is not null && events.Any(e => e.Data is MessageSent or ThanksSent or MessageEdited or GroupRenamed && IsWrittenBy(e, userId)))
        {
            ConversationView? view = null;
            foreach (var e in events.Where(e => e.Version <= audience.View.Version)) view = ConversationViewProjection.Fold(view, e);
            var serializer = store.Options.Serializer();
            if (view is not null && serializer.ToJson(view) != serializer.ToJson(audience.View))
            {
                // Only if the daemon has not moved the audience on meanwhile: the next round sees it again otherwise.
                var table = store.Options.Schema.For<ConversationAudience>();
                session.QueueSqlCommand($"update {table} set data = ?::jsonb where id = ? and (data -> 'view' ->> 'version')::bigint = ?",
                    serializer.ToJson(new ConversationAudience { Id = audience.Id, View = view }), key, audience.View.Version);
                changed++;
            }
        }
        await session.SaveChangesAsync(ct);
        return changed;
    }

    private static readonly RequestAuditProjection RequestAudit = new();
    private static readonly RoomAuditProjection RoomAudit = new();
    private static readonly ModerationAuditProjection ModerationAudit = new();

    /// <summary>The audit entry the audit projections write for an event carrying text, as a rebuild would write it.</summary>
    private static object? AuditEntryOf(IEvent e) => e switch
    {
        IEvent<Backchannel.Domain.Requests.RequestReported> r => RequestAudit.Create(r),
        IEvent<RoomStarted> r => RoomAudit.Create(r),
        IEvent<MovedToAudience> r => RoomAudit.Create(r),
        IEvent<QuestionAsked> r => RoomAudit.Create(r),
        IEvent<QuestionDismissed> r => RoomAudit.Create(r),
        IEvent<QuestionAnswered> r => RoomAudit.Create(r),
        IEvent<EventScheduled> r => RoomAudit.Create(r),
        IEvent<EventCancelled> r => RoomAudit.Create(r),
        IEvent<ReportDismissed> r => ModerationAudit.Create(r),
        IEvent<MessageRemovedByModeration> r => ModerationAudit.Create(r),
        IEvent<UserSuspended> r => ModerationAudit.Create(r),
        IEvent<SuspensionLifted> r => ModerationAudit.Create(r),
        _ => null,
    };

    private static bool SameJson(string stored, string rebuilt) =>
        JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(rebuilt));
}
