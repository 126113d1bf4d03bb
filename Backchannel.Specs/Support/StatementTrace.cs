using System.Collections.Concurrent;
using System.Diagnostics;
using Backchannel.Domain.Common;

namespace Backchannel.Specs.Support;

/// <summary>
/// The round trips to PostgreSQL whose text matches a filter, from Npgsql's own tracing: what a node really asks the
/// database, whatever the code that asks. Each entry is one round trip's text (a batch's statements together). Given
/// <c>within</c>, only the round trips of that trace count, or of a pipeline batch linked to it (the batch's span links
/// to the trace of each command it decides): what the specs' other hosts ask meanwhile does not.
/// </summary>
public sealed class StatementTrace : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _matched = new();

    public StatementTrace(Func<string, bool> matches, ActivityTraceId? within = null)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql" || (within is not null && source.Name == BackchannelTelemetry.SourceName),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name != "Npgsql") return;
                if (within is { } trace && activity.TraceId != trace && activity.Parent?.Links.Any(l => l.Context.TraceId == trace) != true) return;
                var text = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? "";
                if (matches(text)) _matched.Enqueue(text);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The round trips that read the push feed's items.</summary>
    public static StatementTrace FeedItemReads() =>
        new(text => text.Contains("from backchannel.mt_doc_pushitem", StringComparison.OrdinalIgnoreCase));

    public int Count => _matched.Count;

    public IReadOnlyList<string> Texts => [.. _matched];

    public void Dispose() => _listener.Dispose();
}
