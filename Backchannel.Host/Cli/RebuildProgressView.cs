using System.Diagnostics;
using System.Globalization;
using Backchannel.Projections;

namespace Backchannel.Host.Cli;

/// <summary>
/// Shows a rebuild's progress over all its views together: the share of events replayed, events per second and the
/// time left. On a terminal, one bar redrawn in place, each view's end printed above it; redirected, plain lines: each
/// view's start and end, and a progress line each time another tenth of the events is done.
/// </summary>
public sealed class RebuildProgressView(TextWriter output, bool terminal, int views, Func<TimeSpan>? elapsed = null)
{
    private const int BarWidth = 30;
    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Func<TimeSpan> _elapsed = elapsed ?? (() => TimeSpan.Zero);
    private long _total;
    private int _lastTenth;
    private int _barLength;

    /// <summary>Takes one report of <see cref="ViewRebuilder.RebuildAsync"/>.</summary>
    public void Report(ViewRebuilder.Progress progress)
    {
        _total = Math.Max(_total, progress.Total);
        switch (progress.Stage)
        {
            case "rebuilding":
                _positions[progress.View] = 0;
                if (!terminal) output.WriteLine($"{progress.View}: rebuilding...");
                break;
            case "rebuilt":
                _positions[progress.View] = progress.Total;
                ClearBar();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{progress.View}: rebuilt, {progress.Documents} documents in {progress.Elapsed.TotalSeconds:F1}s"));
                break;
            case "left out":
                ClearBar();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{progress.View}: left out the items older than the feed's retention, through position {progress.Position}; clients resuming from before it are told to reload"));
                break;
            default:
                _positions[progress.View] = progress.Position;
                break;
        }
        Show();
    }

    /// <summary>Ends the display with the whole rebuild's figures.</summary>
    public void Finish()
    {
        ClearBar();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rebuilt {_positions.Count} view(s) of {_total} events in {Elapsed.TotalSeconds:F1}s"));
        output.Flush();
    }

    /// <summary>Events replayed over all views, out of all they have to replay.</summary>
    public (long Done, long All) Events => (_positions.Values.Sum(), _total * Math.Max(views, 1));

    private void Show()
    {
        var (done, all) = Events;
        var share = all == 0 ? 1.0 : (double)done / all;
        var seconds = Elapsed.TotalSeconds;
        // The store's events per second: every view folds the same pages, so the views' positions are not added up.
        var rate = seconds > 0 ? share * _total / seconds : 0;
        var left = rate > 0 ? TimeSpan.FromSeconds((1 - share) * _total / rate) : (TimeSpan?)null;
        var figures = string.Create(CultureInfo.InvariantCulture,
            $"{share * 100,3:F0}% of events, {rate:F0} events/s, {(left is { } l ? $"{l:hh\\:mm\\:ss} left" : "time left unknown")}");
        if (terminal)
        {
            var filled = (int)Math.Round(share * BarWidth);
            var bar = $"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {figures}";
            output.Write(bar.PadRight(_barLength));
            _barLength = bar.Length;
            output.Flush();
            return;
        }
        var tenth = (int)Math.Floor(share * 10);
        if (tenth <= _lastTenth || done == 0) return;
        _lastTenth = tenth;
        output.WriteLine($"rebuild: {figures}");
    }

    private TimeSpan Elapsed => elapsed is null ? _clock.Elapsed : _elapsed();

    private void ClearBar()
    {
        if (!terminal || _barLength == 0) return;
        output.Write("\r" + new string(' ', _barLength) + "\r");
        _barLength = 0;
    }
}
