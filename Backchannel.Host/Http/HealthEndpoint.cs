using Backchannel.Domain.Common;
using Backchannel.Host.Operations;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>Whether the database answers, how far the event store has gone, and how far each async view has followed.</summary>
public static class HealthEndpoint
{
    /// <summary>
    /// <c>healthy</c>, <c>degraded</c> (an async view is more than <c>Backchannel:Health:MaxViewLag</c> events behind)
    /// or <c>unhealthy</c> (the database does not answer; 503), with every async view, caught up or not.
    /// </summary>
    public sealed record Health(string Status, string Database, long HighWaterMark, IReadOnlyList<ViewProgress> Projections,
        IReadOnlyList<ViewGeneration>? Views = null);

    public sealed record ViewProgress(string Name, long Sequence, long Behind);

    /// <summary>
    /// Which version of a view is live: <c>Generation</c> counts the rebuilds switched in (0: the view its writes built),
    /// <c>RebuiltAt</c> when the live one was switched in.
    /// </summary>
    public sealed record ViewGeneration(string Name, int Generation, DateTimeOffset? RebuiltAt);

    /// <summary>The readiness report as JSON: the same as <c>/health/ready</c>, kept for clients of the first version.</summary>
    [WolverineGet("/health", OperationId = "health")]
    [Microsoft.AspNetCore.Authorization.AllowAnonymous]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Health>(StatusCodes.Status200OK)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Health>(StatusCodes.Status503ServiceUnavailable)]
    public static async Task<IResult> Get(IBackchannelStore store, IOptions<HostSettings> settings, CancellationToken ct)
    {
        var health = await Readiness.ReadAsync(store, settings.Value.Health.MaxViewLagOrDefault, ct);
        return TypedResults.Json(health, statusCode: health.Status == Readiness.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK);
    }
}
