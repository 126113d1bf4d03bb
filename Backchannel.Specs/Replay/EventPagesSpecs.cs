using System.Text.Json;
using Backchannel.Projections.Rebuilding;
using Backchannel.Specs.Support;
using JasperFx.Events;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Replay;

/// <summary>The rebuild's own read of the events gives what Marten's raw event query gives, field by field.</summary>
public sealed class EventPagesSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task a_page_read_by_the_rebuild_holds_the_events_marten_reads_with_the_same_data_and_metadata()
    {
        await using var scope = Host.Services.CreateAsyncScope();
        await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed: 3).RunAsync(80);
        await AsyncViewsCaughtUp();
        await using var session = Store.QuerySession();
        var marten = (await session.Events.QueryAllRawEvents().Where(e => e.Sequence > 5).ToListAsync()).OrderBy(e => e.Sequence).ToList();

        var read = await new EventPages(Store).ReadAsync(5, long.MaxValue, CancellationToken.None);

        read.ShouldNotBeNull();
        marten.Count.ShouldBeGreaterThan(20);
        read.Select(Fields).ToList().ShouldBe(marten.Select(Fields).ToList());
        read.ShouldAllBe(e => e.Data.GetType() == e.EventType);
    }

    [Fact]
    public async Task a_page_holding_an_event_of_a_name_backchannel_does_not_pin_is_left_to_marten()
    {
        await As("ayu").StartConversation("budi");
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append("stranger-stream", new UnpinnedEvent("x"));
            await session.SaveChangesAsync();
        }

        (await new EventPages(Store).ReadAsync(0, long.MaxValue, CancellationToken.None)).ShouldBeNull();
    }

    /// <summary>What a projection may read of an event, its data as JSON (records holding lists do not compare by value).</summary>
    private static string Fields(IEvent e) => JsonSerializer.Serialize(new
    {
        e.Sequence, e.Id, e.StreamKey, e.Version, e.Timestamp, e.TenantId, e.EventTypeName, e.CorrelationId, e.CausationId,
        Type = e.EventType.FullName, e.IsArchived, Data = JsonSerializer.Serialize(e.Data, e.EventType),
    });

    /// <summary>An event no name in EventNames is given to.</summary>
    public sealed record UnpinnedEvent(string Value);
}
