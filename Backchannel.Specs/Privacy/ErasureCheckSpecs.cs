using System.Security.Claims;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Backchannel.Specs.Privacy;

/// <summary>
/// The erasure check every authenticated request makes shares its read with the requests that arrive together, and
/// still answers each as a read of its own that started when it arrived would: never from a read already under way.
/// </summary>
public sealed class ErasureCheckSpecs
{
    /// <summary>A store of erased handles whose reads take what is erased when they start, and finish when let go.</summary>
    private sealed class World
    {
        private readonly Lock _gate = new();
        private readonly HashSet<string> _erased = [];
        private readonly List<TaskCompletionSource> _holds = [];

        public List<IReadOnlyCollection<string>> Reads { get; } = [];

        public bool Holding { get; set; } = true;

        public Exception? Failure { get; set; }

        public void Erase(string handle) { lock (_gate) _erased.Add(handle); }

        public async Task<IReadOnlySet<string>> ReadAsync(IReadOnlyCollection<string> handles, CancellationToken ct)
        {
            HashSet<string> seen;
            var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                seen = handles.Where(_erased.Contains).ToHashSet();
                Reads.Add(handles);
                if (Holding) _holds.Add(hold); else hold.SetResult();
            }
            await hold.Task;
            if (Failure is { } failure) throw failure;
            return seen;
        }

        /// <summary>Lets the reads held so far finish.</summary>
        public void Release()
        {
            List<TaskCompletionSource> holds;
            lock (_gate) { holds = [.. _holds]; _holds.Clear(); }
            foreach (var hold in holds) hold.SetResult();
        }

        public int HeldReads { get { lock (_gate) return _holds.Count; } }
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++) await Task.Delay(10);
        condition().ShouldBeTrue();
    }

    [Fact]
    public async Task a_lone_check_is_read_at_once()
    {
        var world = new World { Holding = false };
        world.Erase("ayu");
        var checks = new ErasureChecks(world.ReadAsync);

        (await checks.IsErasedAsync("ayu", CancellationToken.None)).ShouldBeTrue();
        (await checks.IsErasedAsync("budi", CancellationToken.None)).ShouldBeFalse();
        checks.Reads.ShouldBe(2);
    }

    [Fact]
    public async Task a_check_arriving_during_a_read_is_answered_by_the_next_read_so_an_erasure_before_it_refuses_it()
    {
        var world = new World();
        var checks = new ErasureChecks(world.ReadAsync, readsAtOnce: 1);
        var before = checks.IsErasedAsync("ayu", CancellationToken.None);
        await EventuallyAsync(() => world.HeldReads == 1);

        // The erasure commits while the first read is under way; a request arriving after it must not be let in by that read.
        world.Erase("ayu");
        var after = checks.IsErasedAsync("ayu", CancellationToken.None);
        world.Release();
        (await before).ShouldBeFalse();
        await EventuallyAsync(() => world.HeldReads == 1);
        world.Release();

        (await after).ShouldBeTrue();
        checks.Reads.ShouldBe(2);
    }

    [Fact]
    public async Task checks_arriving_together_share_one_read_and_each_gets_the_answer_for_its_own_handle()
    {
        var world = new World();
        world.Erase("erased-1");
        world.Erase("erased-2");
        var checks = new ErasureChecks(world.ReadAsync, readsAtOnce: 1);
        var first = checks.IsErasedAsync("live-0", CancellationToken.None);
        await EventuallyAsync(() => world.HeldReads == 1);

        var handles = Enumerable.Range(0, 20).Select(i => i % 3 == 0 ? $"erased-{1 + i % 2}" : $"live-{i}").ToList();
        var answers = handles.Select(h => checks.IsErasedAsync(h, CancellationToken.None)).ToList();
        world.Release();
        await EventuallyAsync(() => world.HeldReads == 1);
        world.Release();

        (await first).ShouldBeFalse();
        for (var i = 0; i < handles.Count; i++) (await answers[i]).ShouldBe(handles[i].StartsWith("erased-", StringComparison.Ordinal), handles[i]);
        checks.Reads.ShouldBe(2);
        world.Reads[1].ShouldBe(handles.Distinct().ToList(), ignoreOrder: true);
    }

    [Fact]
    public async Task a_read_held_up_does_not_hold_up_the_checks_after_it_and_each_still_reads_after_it_arrived()
    {
        var world = new World();
        var checks = new ErasureChecks(world.ReadAsync, stallAfter: TimeSpan.FromMilliseconds(100));
        var stalled = checks.IsErasedAsync("ayu", CancellationToken.None);
        await EventuallyAsync(() => world.HeldReads == 1);

        world.Holding = false;
        world.Erase("budi");
        var waiting = checks.IsErasedAsync("zara", CancellationToken.None);
        await Task.Delay(150);
        (await checks.IsErasedAsync("budi", CancellationToken.None).WaitAsync(Patience)).ShouldBeTrue();
        (await waiting.WaitAsync(Patience)).ShouldBeFalse("it waited beside the held read and went into the one beside it");
        (await checks.IsErasedAsync("cici", CancellationToken.None).WaitAsync(Patience)).ShouldBeFalse();

        stalled.IsCompleted.ShouldBeFalse();
        world.Release();
        (await stalled).ShouldBeFalse();
        checks.Reads.ShouldBe(3);
        world.Reads[1].ShouldBe(["zara", "budi"], ignoreOrder: true);
    }

    [Fact]
    public async Task a_read_in_flight_for_less_than_the_stall_time_is_waited_for_not_read_beside()
    {
        var world = new World();
        var checks = new ErasureChecks(world.ReadAsync, stallAfter: TimeSpan.FromMinutes(5));
        var first = checks.IsErasedAsync("ayu", CancellationToken.None);
        await EventuallyAsync(() => world.HeldReads == 1);

        var later = Enumerable.Range(0, 10).Select(i => checks.IsErasedAsync($"user_{i}", CancellationToken.None)).ToList();
        await Task.Delay(200);

        checks.Reads.ShouldBe(1);
        world.Holding = false;
        world.Release();
        (await first).ShouldBeFalse();
        foreach (var check in later) (await check.WaitAsync(Patience)).ShouldBeFalse();
        checks.Reads.ShouldBe(2);
    }

    [Fact]
    public async Task a_failed_read_fails_the_checks_it_held_and_the_next_check_reads_again()
    {
        var world = new World { Holding = false, Failure = new InvalidOperationException("the database went away") };
        var checks = new ErasureChecks(world.ReadAsync);

        await Should.ThrowAsync<InvalidOperationException>(() => checks.IsErasedAsync("ayu", CancellationToken.None));
        world.Failure = null;
        world.Erase("ayu");

        (await checks.IsErasedAsync("ayu", CancellationToken.None)).ShouldBeTrue();
        checks.Reads.ShouldBe(2);
    }

    [Fact]
    public async Task a_caller_that_gives_up_stops_waiting_without_failing_the_others()
    {
        var world = new World();
        var checks = new ErasureChecks(world.ReadAsync, readsAtOnce: 1);
        var first = checks.IsErasedAsync("ayu", CancellationToken.None);
        await EventuallyAsync(() => world.HeldReads == 1);
        using var gaveUp = new CancellationTokenSource();
        var abandoned = checks.IsErasedAsync("budi", gaveUp.Token);
        var other = checks.IsErasedAsync("citra", CancellationToken.None);

        await gaveUp.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => abandoned);
        world.Release();
        await EventuallyAsync(() => world.HeldReads == 1);
        world.Release();

        (await first).ShouldBeFalse();
        (await other).ShouldBeFalse();
    }

    [Fact]
    public async Task a_request_whose_client_hangs_up_while_its_check_waits_fails_its_sign_in_without_an_exception()
    {
        var world = new World();
        var checks = new ErasureChecks(world.ReadAsync, readsAtOnce: 1);
        var first = checks.IsErasedAsync("ayu", CancellationToken.None);
        await EventuallyAsync(() => world.HeldReads == 1);
        using var hangUp = new CancellationTokenSource();
        var context = TokenValidated("budi", checks, hangUp.Token);

        var signIn = ErasedHandles.RequireLiveHandle(context);
        signIn.IsCompleted.ShouldBeFalse();
        await hangUp.CancelAsync();
        await signIn;

        context.Result.ShouldNotBeNull();
        context.Result.Failure.ShouldNotBeNull().Message.ShouldBe(ErasedHandles.ClientGone);
        world.Release();
        await EventuallyAsync(() => world.HeldReads == 1);
        world.Release();
        (await first).ShouldBeFalse();
    }

    [Fact]
    public async Task a_sign_in_for_an_erased_handle_fails_and_one_for_a_live_handle_does_not()
    {
        var world = new World { Holding = false };
        world.Erase("ayu");
        var checks = new ErasureChecks(world.ReadAsync);
        var erased = TokenValidated("ayu", checks, CancellationToken.None);
        var live = TokenValidated("budi", checks, CancellationToken.None);

        await ErasedHandles.RequireLiveHandle(erased);
        await ErasedHandles.RequireLiveHandle(live);

        erased.Result.ShouldNotBeNull().Failure.ShouldNotBeNull().Message.ShouldBe(ErasedHandles.Erased);
        live.Result.ShouldBeNull();
    }

    private static TokenValidatedContext TokenValidated(string handle, ErasureChecks checks, CancellationToken aborted)
    {
        var http = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddSingleton(checks).BuildServiceProvider(),
            RequestAborted = aborted,
        };
        var scheme = new AuthenticationScheme(JwtBearerDefaults.AuthenticationScheme, null, typeof(JwtBearerHandler));
        return new TokenValidatedContext(http, scheme, new JwtBearerOptions())
        {
            Principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(BackchannelClaims.Subject, handle)], "test")),
        };
    }
}
