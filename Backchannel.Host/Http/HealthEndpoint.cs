using Backchannel.Domain.Common;
using Marten;
using Wolverine.Http;

namespace Backchannel.Host.Http;

/// <summary>Whether the database answers, how far the event store has gone, and how far each async view has followed.</summary>
public static class HealthEndpoint
{
    public sealed record Health(string Status, string Database, long HighWaterMark, IReadOnlyList<ViewProgress> Projections);

    public sealed record ViewProgress(string Name, long Sequence, long Behind);

    [WolverineGet("/health", OperationId = "health")]
    [Microsoft.AspNetCore.Authorization.AllowAnonymous]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Health>(StatusCodes.Status200OK)]
    [Microsoft.AspNetCore.Mvc.ProducesResponseType<Health>(StatusCodes.Status503ServiceUnavailable)]
    public static async Task<IResult> Get(IBackchannelStore store, CancellationToken ct)
    {
        try
        {
            var statistics = await store.Advanced.FetchEventStoreStatistics(token: ct);
            var progress = await store.Advanced.AllProjectionProgress(token: ct);
            var highWater = progress.FirstOrDefault(p => p.ShardName == "HighWaterMark")?.Sequence ?? statistics.EventSequenceNumber;
            var views = progress.Where(p => p.ShardName != "HighWaterMark")
                .Select(p => new ViewProgress(p.ShardName, p.Sequence, Math.Max(0, highWater - p.Sequence)))
                .ToList();
            return TypedResults.Ok(new Health("healthy", "reachable", highWater, views));
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            return TypedResults.Json(new Health("unhealthy", e.Message, 0, []), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
