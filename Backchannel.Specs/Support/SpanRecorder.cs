using System.Collections.Concurrent;
using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Exporter;

namespace Backchannel.Specs.Support;

/// <summary>
/// The host's span processor in the specs: hands the spans of the traces a spec watches to OpenTelemetry's in-memory
/// exporter, and nothing else, so a whole run keeps only what a spec reads. A spec chooses the trace id and sends it
/// in a <c>traceparent</c> header, so spans of other specs running at the same time never mix in.
/// </summary>
public sealed class SpanRecorder : BaseProcessor<Activity>
{
    private readonly ConcurrentDictionary<ActivityTraceId, Watched> _watched = new();

    private sealed class Watched
    {
        public List<Activity> Spans { get; } = [];
        public InMemoryExporter<Activity> Exporter { get; }
        public SimpleActivityExportProcessor Processor { get; }
        public TaskCompletionSource Complete { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>
        /// The server span has ended and so has the parent of every span in it: spans end after their children, some
        /// (a session's connection) after the response has gone.
        /// </summary>
        public bool IsComplete()
        {
            var server = Spans.FirstOrDefault(s => s.Kind == ActivityKind.Server);
            if (server is null) return false;
            var ended = Spans.Select(s => s.SpanId).ToHashSet();
            return Spans.All(s => s == server || ended.Contains(s.ParentSpanId));
        }

        public Watched()
        {
            Exporter = new InMemoryExporter<Activity>(Spans);
            Processor = new SimpleActivityExportProcessor(Exporter);
        }
    }

    /// <summary>Starts watching a new trace; send <see cref="TraceParent"/> of it with the request.</summary>
    public ActivityTraceId Watch()
    {
        var trace = ActivityTraceId.CreateRandom();
        _watched[trace] = new Watched();
        return trace;
    }

    /// <summary>A W3C <c>traceparent</c> header value that makes the request's server span a child in <paramref name="trace"/>.</summary>
    public static string TraceParent(ActivityTraceId trace) => $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

    /// <summary>The spans of <paramref name="trace"/>, once its server span and the parent of every span have ended.</summary>
    public async Task<IReadOnlyList<Activity>> SpansOf(ActivityTraceId trace)
    {
        var watched = _watched[trace];
        await watched.Complete.Task.WaitAsync(TimeSpan.FromSeconds(30));
        lock (watched.Spans) return [.. watched.Spans];
    }

    public override void OnEnd(Activity span)
    {
        if (!_watched.TryGetValue(span.TraceId, out var watched)) return;
        lock (watched.Spans)
        {
            watched.Processor.OnEnd(span);
            if (watched.IsComplete()) watched.Complete.TrySetResult();
        }
    }
}
