using System.Text;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Backchannel.Host;

/// <summary>
/// The host's own settings read at start (section <c>Backchannel</c>): the request body limit and the cluster
/// timings. Bound only to be validated; <see cref="BackchannelHost"/> applies them.
/// </summary>
public sealed record HostSettings
{
    /// <summary>The largest request body, in bytes (<c>Backchannel:MaxRequestBodyBytes</c>).</summary>
    public long? MaxRequestBodyBytes { get; init; }

    /// <summary><c>Backchannel:Cluster</c>, Wolverine's node timings, each left at Wolverine's default when absent.</summary>
    public ClusterTimings Cluster { get; init; } = new();
}

/// <summary>The timings of section <c>Backchannel:Cluster</c> (<see cref="ClusterSettings"/> applies them).</summary>
public sealed record ClusterTimings
{
    /// <summary>How often a node checks the others.</summary>
    public TimeSpan? HealthCheckPolling { get; init; }

    /// <summary>How long after start the first check runs.</summary>
    public TimeSpan? FirstHealthCheck { get; init; }

    /// <summary>How long a silent node counts as alive.</summary>
    public TimeSpan? StaleNodeTimeout { get; init; }

    /// <summary>How often the leader checks the assignment of views to nodes.</summary>
    public TimeSpan? CheckAssignmentPeriod { get; init; }
}

/// <summary>Checks <see cref="HostSettings"/> at start.</summary>
public sealed class HostSettingsValidator : IValidateOptions<HostSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HostSettings settings)
    {
        var check = new SettingChecks(BackchannelSettings.Section);
        // The largest valid body (docs/api.md) must fit, or every large valid request would be a 413.
        if (settings.MaxRequestBodyBytes is { } bodyBytes and < 32 * 1024)
            check.Fail(nameof(settings.MaxRequestBodyBytes), "must be at least 32768, above the largest valid body", bodyBytes.ToString());

        var cluster = settings.Cluster ?? new ClusterTimings();
        const string section = nameof(settings.Cluster);
        if (cluster.HealthCheckPolling is { } health) check.Positive($"{section}:{nameof(cluster.HealthCheckPolling)}", health);
        if (cluster.FirstHealthCheck is { } first) check.NotNegative($"{section}:{nameof(cluster.FirstHealthCheck)}", first);
        if (cluster.StaleNodeTimeout is { } stale) check.Positive($"{section}:{nameof(cluster.StaleNodeTimeout)}", stale);
        if (cluster.CheckAssignmentPeriod is { } assignment) check.Positive($"{section}:{nameof(cluster.CheckAssignmentPeriod)}", assignment);
        return check.Result;
    }
}

/// <summary>
/// Checks <see cref="AuthSettings"/> at start. Without a key of enough bytes every authenticated request would fail
/// with a 500, so the host refuses to start instead; Development reads its key from appsettings.Development.json.
/// </summary>
public sealed class AuthSettingsValidator : IValidateOptions<AuthSettings>
{
    /// <summary>The fewest bytes an HMAC-SHA256 key may have.</summary>
    public const int MinimumKeyBytes = 32;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, AuthSettings settings)
    {
        var check = new SettingChecks(AuthSettings.Section);
        var keyBytes = Encoding.UTF8.GetByteCount(settings.SigningKey ?? "");
        // The value found is reported as a length: the key itself is a secret and never reaches a log.
        if (keyBytes < MinimumKeyBytes)
            check.Fail(nameof(settings.SigningKey), $"must be at least {MinimumKeyBytes} bytes of UTF-8", keyBytes == 0 ? "absent" : $"{keyBytes} bytes");
        check.Required(nameof(settings.Issuer), settings.Issuer);
        check.Required(nameof(settings.Audience), settings.Audience);
        check.Positive(nameof(settings.TokenLifetime), settings.TokenLifetime);
        return check.Result;
    }
}

/// <summary>Registers the start-up checks of the host's settings beside Backchannel's own.</summary>
public static class HostSettingsValidation
{
    /// <summary>Binds and validates the host's settings on start (<c>ValidateOnStart</c>).</summary>
    public static IServiceCollection AddHostSettingsValidation(this IServiceCollection services)
    {
        services.AddBackchannelSettingsValidation();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HostSettings>, HostSettingsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthSettings>, AuthSettingsValidator>());
        services.AddOptions<HostSettings>().BindConfiguration(BackchannelSettings.Section).ValidateOnStart();
        services.AddOptions<AuthSettings>().BindConfiguration(AuthSettings.Section).ValidateOnStart();
        return services;
    }
}

/// <summary>
/// Runs the start-up validation before the host runs, so a wrong setting ends the process with a non-zero code and one
/// line per failure, before anything listens. The command runner would log the failure with a stack trace and exit 0.
/// </summary>
public static class StartupCheck
{
    /// <summary>
    /// True when <paramref name="args"/> start the host (no command, <c>run</c>, or only ASP.NET flags) and a setting
    /// fails; each failure is written to <paramref name="error"/>. Other commands (codegen, token, db-*) are not held back.
    /// </summary>
    public static bool Fails(IHost app, string[] args, TextWriter error)
    {
        if (args.Length > 0 && !args[0].StartsWith('-') && !args[0].Equals("run", StringComparison.OrdinalIgnoreCase)) return false;
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            return false;
        }
        catch (OptionsValidationException invalid)
        {
            foreach (var failure in invalid.Failures) error.WriteLine(failure);
            return true;
        }
        catch (AggregateException invalid) when (invalid.InnerExceptions.All(e => e is OptionsValidationException))
        {
            foreach (var failure in invalid.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)) error.WriteLine(failure);
            return true;
        }
    }
}
