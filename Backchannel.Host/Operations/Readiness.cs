using Backchannel.Domain.Common;
using System.Text.Json;
using Backchannel.Host.Http;
using Backchannel.Projections;
using Marten;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Backchannel.Host.Operations;

/// <summary>
/// Liveness and readiness (docs/operations.md#health). <c>/health/live</c> asks nothing of any dependency: the process
/// answers. <c>/health/ready</c> is unhealthy (503) when the database does not answer, degraded (still 200: commands and
/// the inline views work, only the audit and push lag) when an async view is more than
/// <c>Backchannel:Health:MaxViewLag</c> events behind the high-water mark, healthy otherwise.
/// </summary>
/// <remarks>
/// Not Marten.AspNetCore's async-daemon check: it reports a lagging view unhealthy, which would take a node whose
/// commands work out of its load balancer, and it reads the app's default store rather than Backchannel's.
/// </remarks>
public static class Readiness
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string Healthy = "healthy";
    public const string Degraded = "degraded";
    public const string Unhealthy = "unhealthy";
    private const string ReadyTag = "ready";

    /// <summary>The readiness of <paramref name="store"/>: every async view's position, whether it has a row yet or not.</summary>
    public static async Task<HealthEndpoint.Health> ReadAsync(IDocumentStore store, long maxViewLag, CancellationToken ct)
    {
        try
        {
            var progress = await store.Advanced.AllProjectionProgress(token: ct);
            // Until a daemon has run there is no high-water mark: the last event stands for it (the sequence's own
            // counter would read 1 on an empty store).
            var highWater = progress.FirstOrDefault(p => p.ShardName == "HighWaterMark")?.Sequence ?? await store.LastEventAsync(ct);
            var positions = progress.Where(p => p.ShardName != "HighWaterMark").ToDictionary(p => p.ShardName, p => p.Sequence);
            // A view the daemon has not started yet (a fresh database) has no row: it is at 0, not absent.
            var names = store.Advanced.AllAsyncProjectionShardNames().Select(s => s.Identity).Union(positions.Keys).Order(StringComparer.Ordinal);
            var views = names
                .Select(name => new HealthEndpoint.ViewProgress(name, positions.GetValueOrDefault(name), Math.Max(0, highWater - positions.GetValueOrDefault(name))))
                .ToList();
            var status = views.Any(v => v.Behind > maxViewLag) ? Degraded : Healthy;
            var generations = (await store.GenerationsAsync(ct)).Select(g => new HealthEndpoint.ViewGeneration(g.View, g.Number, g.RebuiltAt)).ToList();
            // Documents of a shape this version does not read: commands on them would fail, so no traffic until rebuilt.
            var toRebuild = await store.ViewsToRebuildAsync(ct);
            if (toRebuild.Count > 0)
                return new HealthEndpoint.Health(Unhealthy, $"reachable; rebuild before serving: {string.Join(", ", toRebuild.Select(v => $"rebuild --view {v}"))}",
                    highWater, views, generations);
            return new HealthEndpoint.Health(status, "reachable", highWater, views, generations);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or System.Net.Sockets.SocketException or TimeoutException
                                      || Http.ProblemMapping.DatabaseUnavailable(e))
        {
            return new HealthEndpoint.Health(Unhealthy, e.Message, 0, []);
        }
    }

    /// <summary>Registers the readiness check.</summary>
    public static IServiceCollection AddReadiness(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ReadinessCheck>("backchannel", tags: [ReadyTag]);
        return services;
    }

    /// <summary>Maps <c>/health/live</c> and <c>/health/ready</c>, anonymous like <c>/health</c>.</summary>
    public static void MapReadiness(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteLive }).AllowAnonymous();
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteReady }).AllowAnonymous();
    }

    private static Task WriteLive(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync("""{"status":"healthy"}""");
    }

    private static Task WriteReady(HttpContext http, HealthReport report)
    {
        var health = report.Entries.Values.Select(e => e.Data.GetValueOrDefault(nameof(HealthEndpoint.Health))).OfType<HealthEndpoint.Health>().FirstOrDefault()
                     ?? new HealthEndpoint.Health(Unhealthy, report.Entries.Values.FirstOrDefault().Description ?? "not checked", 0, []);
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(health, JsonSerializerOptions.Web));
    }

    /// <summary>The readiness as an ASP.NET Core health check, carrying the whole report for the response.</summary>
    internal sealed class ReadinessCheck(IBackchannelStore store, IOptions<HostSettings> settings) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var health = await ReadAsync(store, settings.Value.Health.MaxViewLagOrDefault, cancellationToken);
            var data = new Dictionary<string, object> { [nameof(HealthEndpoint.Health)] = health };
            return health.Status switch
            {
                Unhealthy => HealthCheckResult.Unhealthy($"database: {health.Database}", data: data),
                Degraded => HealthCheckResult.Degraded("an async view is behind", data: data),
                _ => HealthCheckResult.Healthy(data: data),
            };
        }
    }
}
