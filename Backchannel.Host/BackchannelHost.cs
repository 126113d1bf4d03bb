using System.Text.Json;
using System.Text.Json.Serialization;
using Backchannel.Host.Auth;
using Backchannel.Host.Demo;
using Backchannel.Host.Http;
using Backchannel.Projections;
using JasperFx.CodeGeneration;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

namespace Backchannel.Host;

/// <summary>Composes the HTTP host: Marten, Wolverine, Backchannel, auth, errors, OpenAPI, health.</summary>
public static class BackchannelHost
{
    public const string LocalConnectionString =
        "Host=127.0.0.1;Port=5432;Database=backchannel;Username=backchannel;Password=backchannel";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        // A failure names the field as the client does (camelCase), not as the CLR property is spelled.
        FluentValidation.ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : FieldNames.CamelCase(member.Name);
        foreach (var category in RefusalLog.SilencedCategories()) builder.Logging.AddFilter(category, LogLevel.None);
        var bodyLimit = builder.Configuration.GetValue(BodyLimit.Setting, BodyLimit.DefaultMaxBytes);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = bodyLimit);
        var connectionString = builder.Configuration.GetConnectionString("Backchannel") ?? LocalConnectionString;

        var marten = builder.Services.AddMarten(opts =>
            {
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = builder.Configuration["Backchannel:Schema"] ?? "backchannel";
                // The async views (audit, push feed) lag by about the daemon's polling period, idle or busy: measured at
                // half the maximum load, p99 197 ms at 100 ms, 164 ms at 25 ms, 74 ms at 10 ms (docs/benchmarks.md), for
                // one cheap query of the event sequence per period on the node that runs the daemon.
                var polling = builder.Configuration.GetValue("Backchannel:DaemonPolling", TimeSpan.FromMilliseconds(10));
                opts.Projections.SlowPollingTime = polling;
                opts.Projections.FastPollingTime = polling;
            })
            .UseLightweightSessions()
            // Schema changes are applied once, before the daemon starts, rather than lazily by whichever shard or
            // request first touches a table: two of them creating the same new index at once make one fail.
            .ApplyAllDatabaseChangesOnStartup();
        // Solo: this node runs every async view. Distributed: Wolverine assigns each view to one live node (several
        // nodes on one database). Off: another node runs them. Never both AddAsyncDaemon and Wolverine's distribution.
        // An unknown value falls back here only to reach the start, where HostSettingsValidator stops it naming the key.
        var daemon = Enum.TryParse<DaemonChoice>(builder.Configuration["Backchannel:Daemon"] ?? nameof(DaemonChoice.Solo), ignoreCase: true, out var choice)
            ? choice : DaemonChoice.Solo;
        switch (daemon)
        {
            case DaemonChoice.Solo: marten.IntegrateWithWolverine().AddAsyncDaemon(DaemonMode.Solo); break;
            case DaemonChoice.Distributed: marten.IntegrateWithWolverine(w => w.UseWolverineManagedEventSubscriptionDistribution = true); break;
            case DaemonChoice.Off: marten.IntegrateWithWolverine(); break;
        }
        builder.Services.AddBackchannel(builder.Configuration);
        builder.Services.AddHostSettingsValidation();

        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(BackchannelHost).Assembly;
            // Production loads handlers generated ahead of time (`codegen write`) and generates only what is missing.
            if (builder.Environment.IsProduction()) opts.CodeGeneration.TypeLoadMode = TypeLoadMode.Auto;
            ClusterSettings.Apply(builder.Configuration, opts.Durability);
        });
        builder.Services.AddWolverineHttp();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            json.SerializerOptions.Converters.Add(new UtcTimeConverter());
        });

        var auth = builder.Configuration.GetSection(AuthSettings.Section).Get<AuthSettings>() ?? new AuthSettings();
        builder.Services.AddSingleton(auth);
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = TokenIssuer.ValidationParameters(auth);
                jwt.Events = new JwtBearerEvents { OnTokenValidated = TokenIssuer.RequireHandleSubject };
            });
        builder.Services.AddAuthorization();

        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemMapping.Shape);
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi(openApi => openApi.AddOperationTransformer<OpenApiConventions>().AddSchemaTransformer<UtcTimeSchema>());
        builder.Services.AddHostedService<DemoSeeder>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodyLimit(bodyLimit);
        WebClient.Use(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseNullBodyGuard();
        app.MapOpenApi();
        app.MapWolverineEndpoints(http =>
        {
            http.RequireAuthorizeOnAll();
            http.RejectUnparseableQueryValues = true;
        });
        if (app.Environment.IsDevelopment()) DevEndpoints.Map(app);
        if (args.FirstOrDefault() is { } command && command.Equals("describe", StringComparison.OrdinalIgnoreCase))
            Cli.SecretRedaction.Apply((IConfigurationBuilder)app.Configuration);
        return app;
    }
}

/// <summary>
/// How fast several <c>Distributed</c> nodes notice each other and a dead one (section <c>Backchannel:Cluster</c>).
/// Each is Wolverine's own setting, left at Wolverine's default when absent; docs/operations.md#fault-tests measures
/// what they give. A dead node's views move once it has missed its heartbeats for <c>StaleNodeTimeout</c> and a
/// survivor's health check (every <c>HealthCheckPolling</c>) has seen it stale twice.
/// </summary>
public static class ClusterSettings
{
    public const string Section = "Backchannel:Cluster";

    public static void Apply(IConfiguration configuration, DurabilitySettings durability)
    {
        var cluster = configuration.GetSection(Section);
        if (cluster.GetValue<TimeSpan?>("HealthCheckPolling") is { } polling) durability.HealthCheckPollingTime = polling;
        if (cluster.GetValue<TimeSpan?>("FirstHealthCheck") is { } first) durability.FirstHealthCheckExecution = first;
        if (cluster.GetValue<TimeSpan?>("StaleNodeTimeout") is { } stale) durability.StaleNodeTimeout = stale;
        if (cluster.GetValue<TimeSpan?>("CheckAssignmentPeriod") is { } check) durability.CheckAssignmentPeriod = check;
    }
}

/// <summary>Where this node's async views (audit, push feed) run: setting <c>Backchannel:Daemon</c>.</summary>
public enum DaemonChoice
{
    Solo,
    Distributed,
    Off,
}
