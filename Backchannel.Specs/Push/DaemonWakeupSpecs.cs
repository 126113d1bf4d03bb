using System.Diagnostics;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Push;

/// <summary>
/// The daemon's wake-up on commit, against a real PostgreSQL: a commit notified while the daemon works is not lost, a
/// busy moment's commits are gathered into one look, and a lost listening connection wakes the daemon and is listened
/// again. Each spec has a channel of its own; the waits are ten minutes, so returning early means it was woken.
/// </summary>
public sealed class DaemonWakeupSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Poll = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Woken = TimeSpan.FromSeconds(20);
    private readonly string _channel = DaemonWakeup.ChannelOf($"wake_{Guid.NewGuid():N}");
    private DaemonWakeup _wakeup = null!;

    private DaemonWakeup NewWakeup(TimeSpan gathering) =>
        new(NpgsqlDataSource.Create(AppFixture.ConnectionString), _channel, gathering, TimeProvider.System, NullLogger<DaemonWakeup>.Instance);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _wakeup.DisposeAsync();

    private async Task Notify()
    {
        await using var connection = new NpgsqlConnection(AppFixture.ConnectionString);
        await connection.OpenAsync();
        await using var notify = new NpgsqlCommand("select pg_notify(@channel, '')", connection);
        notify.Parameters.AddWithValue("channel", _channel);
        await notify.ExecuteNonQueryAsync();
    }

    /// <summary>Listens: the first wait connects and, with nothing notified, returns at its (short) timeout.</summary>
    private async Task Listening()
    {
        await _wakeup.WaitAsync(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        _wakeup.ListeningProcess.ShouldNotBeNull();
    }

    private async Task<TimeSpan> TimedWait()
    {
        var watch = Stopwatch.StartNew();
        await _wakeup.WaitAsync(Poll, CancellationToken.None).WaitAsync(Woken);
        return watch.Elapsed;
    }

    [Fact]
    public async Task a_commit_notified_while_the_daemon_works_wakes_its_next_wait()
    {
        _wakeup = NewWakeup(TimeSpan.Zero);
        await Listening();

        await Notify();
        await TimedWait();
        // The daemon is looking (not waiting) when the next commit is notified.
        await Notify();
        await Until(() => _wakeup.Notifications >= 2);
        await TimedWait();
    }

    [Fact]
    public async Task commits_soon_after_a_look_wait_out_the_gathering_and_are_seen_by_one_look()
    {
        var gathering = TimeSpan.FromMilliseconds(400);
        _wakeup = NewWakeup(gathering);
        await Listening();

        await Notify();
        // Started before the first look, so it times at least the gathering since that look.
        var first = Stopwatch.StartNew();
        await TimedWait();

        await Notify();
        await Notify();
        await TimedWait();
        first.Elapsed.ShouldBeGreaterThanOrEqualTo(gathering, "the second look waits out the gathering since the first");
        await Should.ThrowAsync<TimeoutException>(_wakeup.WaitAsync(Poll, CancellationToken.None).WaitAsync(TimeSpan.FromMilliseconds(gathering.TotalMilliseconds * 2)),
            "both commits were seen by that one look: nothing is left to wake the next");
    }

    [Fact]
    public async Task a_lost_listening_connection_wakes_the_daemon_and_is_listened_again()
    {
        _wakeup = NewWakeup(TimeSpan.Zero);
        await Listening();
        var lost = _wakeup.ListeningProcess!.Value;

        await using (var connection = new NpgsqlConnection(AppFixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var terminate = new NpgsqlCommand("select pg_terminate_backend(@pid)", connection);
            terminate.Parameters.AddWithValue("pid", lost);
            await terminate.ExecuteNonQueryAsync();
        }
        await TimedWait();

        // Listened again by that wait (when the loss was seen first) or by this one.
        await Listening();
        _wakeup.ListeningProcess.ShouldNotBe(lost);
        await Notify();
        await TimedWait();
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            deadline.Elapsed.ShouldBeLessThan(Woken);
            await Task.Delay(10);
        }
    }
}
