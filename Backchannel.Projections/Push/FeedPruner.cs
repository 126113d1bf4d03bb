using Backchannel.Domain.Common;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backchannel.Projections.Push;

/// <summary>Prunes the push feed to <see cref="BackchannelSettings.PushRetention"/> once an hour, on every node.</summary>
public sealed class FeedPruner(IBackchannelStore store, BackchannelSettings settings, TimeProvider clock, ILogger<FeedPruner> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.PruneFeedAsync(clock.GetUtcNow() - settings.PushRetention, stoppingToken);
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Could not prune the push feed; trying again in {Interval}", Interval);
                await Task.Delay(Interval, clock, stoppingToken);
            }
        }
    }
}
