using System.Text.Json;
using System.Text.Json.Serialization;
using Backchannel.Host.Auth;
using Backchannel.Host.Demo;
using Backchannel.Host.Http;
using Backchannel.Host.Operations;
using Backchannel.Projections;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Wolverine;
using Wolverine.Http;

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
        // The same registration an app makes; a host run without a connection string uses the local database.
        var daemon = DaemonChoice.Solo;
        builder.Services.AddBackchannel(builder.Configuration, store =>
        {
            store.ConnectionString ??= LocalConnectionString;
            daemon = store.Daemon;
            // Marten's counter of appended events. Not its connection span (TrackConnections): the span of a session
            // that Wolverine opens is never stopped, so every PostgreSQL statement under it would reach the collector
            // without its parent. Left off, the statements are children of Wolverine's handling span.
            if (Operations.Telemetry.Enabled(builder.Configuration)) store.Marten += opts => opts.OpenTelemetry.TrackEventCounters();
        });
        // What rebuild checks before it runs: any node that runs async views says so (DaemonPresence).
        if (daemon != DaemonChoice.Off) builder.Services.AddHostedService<DaemonPresence>();
        builder.Services.AddHostSettingsValidation();

        builder.Host.UseWolverine(opts =>
        {
            opts.ApplicationAssembly = typeof(BackchannelHost).Assembly;
            opts.UseBackchannelStoreFor(typeof(BackchannelHost).Assembly);
            // Outside Development a pre-generated build loads its own handler code and compiles nothing (CodeLoading).
            CodeLoading.Apply(opts.CodeGeneration, builder.Environment, typeof(BackchannelHost).Assembly);
            ClusterSettings.Apply(builder.Configuration, opts.Durability);
        });
        builder.Services.AddWolverineHttp();
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            json.SerializerOptions.Converters.Add(new UtcTimeConverter());
            // A number is a JSON number: the web default also reads "5" as 5, which the document would then have to
            // type as integer-or-string, and generated clients as number | string.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });

        var auth = builder.Configuration.GetSection(AuthSettings.Section).Get<AuthSettings>() ?? new AuthSettings();
        builder.Services.AddSingleton(auth);
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton(services => ErasureChecks.Reading(services.GetRequiredService<Backchannel.Domain.Common.IBackchannelStore>()));
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
            .AddJwtBearer(jwt =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = TokenIssuer.ValidationParameters(auth);
                jwt.Events = new JwtBearerEvents { OnTokenValidated = ErasedHandles.RequireLiveHandle, OnMessageReceived = PushTickets.Authenticate };
            });
        builder.Services.AddAuthorization();

        builder.Services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ProblemMapping.Shape);
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.AddOpenApi(openApi => openApi
            .AddOperationTransformer<OpenApiConventions>()
            .AddSchemaTransformer<UtcTimeSchema>()
            .AddSchemaTransformer<ValidatorLimits>()
            .AddDocumentTransformer<ApiDocument>());
        builder.Services.AddHostedService<DemoSeeder>();
        builder.AddTelemetry();
        builder.Services.AddReadiness();
        builder.Services.AddSingleton<PushTickets>();
        var cors = builder.AddBackchannelCors();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Preflights are answered before a body is read or a token asked for.
        if (cors) app.UseCors();
        app.UseBodyLimit(bodyLimit);
        WebClient.Use(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseNullBodyGuard();
        app.MapOpenApi();
        app.MapTelemetry();
        app.MapReadiness();
        ApiReference.Map(app);
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
