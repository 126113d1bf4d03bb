using System.Diagnostics;

namespace Backchannel.Specs.Support;

/// <summary>
/// Counts the queries of the push feed's items that reach PostgreSQL, from Npgsql's own tracing: what a node really
/// asks the database, whatever the code that asks.
/// </summary>
public sealed class FeedQueries : IDisposable
{
    private readonly ActivityListener _listener;
    private int _count;

    public FeedQueries()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var text = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? "";
                if (text.Contains("from backchannel.mt_doc_pushitem", StringComparison.OrdinalIgnoreCase)) Interlocked.Increment(ref _count);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public int Count => Volatile.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
