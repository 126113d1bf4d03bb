using Backchannel.Domain.Common;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Backchannel.Host.Operations;

/// <summary>
/// The OpenTelemetry SDK over every source the host's parts emit: ASP.NET Core, Wolverine, Marten, Npgsql and
/// <see cref="BackchannelTelemetry"/>. Exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (with the
/// SDK's other standard <c>OTEL_*</c> variables), and scraped at <c>/metrics</c> when
/// <c>Backchannel:Telemetry:Prometheus</c> is true (docs/operations.md#telemetry).
/// </summary>
public static class Telemetry
{
    /// <summary>The settings section.</summary>
    public const string Section = "Backchannel:Telemetry";

    /// <summary>The sources and meters of the frameworks, beside Backchannel's own.</summary>
    public static readonly string[] Sources = ["Wolverine", "Marten", BackchannelTelemetry.SourceName];

    /// <summary>The meters collected beside ASP.NET Core's and Npgsql's.</summary>
    public static readonly string[] Meters = ["Wolverine", "Marten", BackchannelTelemetry.MeterName];

    /// <summary>The path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Whether an OTLP endpoint is configured, the standard way.</summary>
    public static bool ExportsOtlp(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    /// <summary>Whether the Prometheus scrape endpoint is on.</summary>
    public static bool ServesPrometheus(IConfiguration configuration) => configuration.GetValue($"{Section}:Prometheus", false);

    /// <summary>
    /// Collection costs a span per query even when nothing reads it, so the SDK is registered only when something will
    /// read it: an OTLP endpoint, Prometheus, or <c>Backchannel:Telemetry:Enabled</c> (an in-process exporter, a spec).
    /// </summary>
    public static bool Enabled(IConfiguration configuration) =>
        ExportsOtlp(configuration) || ServesPrometheus(configuration) || configuration.GetValue($"{Section}:Enabled", false);

    /// <summary>Registers the SDK when <see cref="Enabled"/>; returns whether it did.</summary>
    public static bool AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        if (!Enabled(configuration)) return false;
        var prometheus = ServesPrometheus(configuration);
        var otel = builder.Services.AddOpenTelemetry()
            // OTEL_SERVICE_NAME, when set, wins over this default.
            .ConfigureResource(resource => resource.AddService("backchannel"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = http => !IsProbe(http.Request.Path))
                .AddNpgsql()
                .AddSource(Sources))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation().AddNpgsqlInstrumentation().AddMeter(Meters);
                if (prometheus) metrics.AddPrometheusExporter();
            });
        if (ExportsOtlp(configuration)) otel.UseOtlpExporter();
        return true;
    }

    /// <summary>Maps <c>/metrics</c> when Prometheus is on.</summary>
    public static void MapTelemetry(this WebApplication app)
    {
        if (ServesPrometheus(app.Configuration)) app.MapPrometheusScrapingEndpoint(MetricsPath);
    }

    /// <summary>Health probes and scrapes every few seconds would drown the traces that matter.</summary>
    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(MetricsPath);
}
