using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Backchannel.Domain.Common;

/// <summary>
/// Checks <see cref="BackchannelSettings"/> (and its <see cref="RateLimitSettings"/>) when the host starts: a wrong value
/// would otherwise start and then refuse every request with a rule nobody can meet ("at most -5 members").
/// </summary>
internal sealed class BackchannelSettingsValidator : IValidateOptions<BackchannelSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BackchannelSettings settings)
    {
        var check = new SettingChecks(BackchannelSettings.Section);
        check.AtLeast(nameof(settings.MaxGroupMembers), settings.MaxGroupMembers, 3);
        check.AtLeast(nameof(settings.PendingRequestMessageCap), settings.PendingRequestMessageCap, 1);
        check.Positive(nameof(settings.PushRetention), settings.PushRetention);
        check.Positive(nameof(settings.PushHeartbeat), settings.PushHeartbeat);
        check.Positive(nameof(settings.PushPolling), settings.PushPolling);
        check.AtLeast(nameof(settings.PushStreamsPerUser), settings.PushStreamsPerUser, 1);
        check.AtLeast(nameof(settings.PushStreamsPerNode), settings.PushStreamsPerNode, 1);

        var limits = settings.RateLimits ?? new RateLimitSettings();
        const string rateLimits = nameof(settings.RateLimits);
        check.AtLeast($"{rateLimits}:{nameof(limits.RequestsPerHour)}", limits.RequestsPerHour, 1);
        check.AtLeast($"{rateLimits}:{nameof(limits.PendingMessagesPerMinute)}", limits.PendingMessagesPerMinute, 1);
        check.AtLeast($"{rateLimits}:{nameof(limits.QuestionsPerMinutePerRoom)}", limits.QuestionsPerMinutePerRoom, 1);
        check.AtLeast($"{rateLimits}:{nameof(limits.RoomsPerHour)}", limits.RoomsPerHour, 1);
        check.AtLeast($"{rateLimits}:{nameof(limits.EventsPerHour)}", limits.EventsPerHour, 1);
        check.AtLeast($"{rateLimits}:{nameof(limits.ReportsPerHour)}", limits.ReportsPerHour, 1);
        check.Share($"{rateLimits}:{nameof(limits.WarnAtShare)}", limits.WarnAtShare);
        return check.Result;
    }
}

/// <summary>
/// Collects settings failures as one line each, naming the configuration key, the rule and the value found, e.g.
/// <c>Backchannel:MaxGroupMembers must be at least 3 (was -5)</c>.
/// </summary>
public sealed class SettingChecks(string section)
{
    private readonly List<string> failures = [];

    /// <summary>Every failure so far, or success.</summary>
    public ValidateOptionsResult Result => failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

    /// <summary>Fails unless <paramref name="value"/> is at least <paramref name="minimum"/>.</summary>
    public void AtLeast(string key, int value, int minimum)
    {
        if (value < minimum) Fail(key, $"must be at least {minimum}", value.ToString());
    }

    /// <summary>Fails unless <paramref name="value"/> is longer than zero.</summary>
    public void Positive(string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) Fail(key, "must be longer than zero", value.ToString("c"));
    }

    /// <summary>Fails when <paramref name="value"/> is below zero.</summary>
    public void NotNegative(string key, TimeSpan value)
    {
        if (value < TimeSpan.Zero) Fail(key, "must not be negative", value.ToString("c"));
    }

    /// <summary>Fails unless <paramref name="value"/> is a share above zero and at most one.</summary>
    public void Share(string key, double value)
    {
        if (!(value > 0 && value <= 1)) Fail(key, "must be above 0 and at most 1", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Fails when <paramref name="value"/> is empty or only spaces.</summary>
    public void Required(string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) Fail(key, "must be set", value is null ? "absent" : $"'{value}'");
    }

    /// <summary>Fails with a rule of the caller's own; <paramref name="found"/> describes the value without revealing a secret.</summary>
    public void Fail(string key, string rule, string found) => failures.Add($"{section}:{key} {rule} (was {found})");
}

/// <summary>Registers the start-up check of Backchannel's settings.</summary>
internal static class SettingsValidationRegistration
{
    /// <summary>
    /// Validates <see cref="BackchannelSettings"/> when the host starts (<c>ValidateOnStart</c>), so a wrong value stops
    /// the start with one line per failure naming its key, before anything listens or handles a message.
    /// </summary>
    public static IServiceCollection AddBackchannelSettingsValidation(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackchannelSettings>, BackchannelSettingsValidator>());
        services.AddOptions<BackchannelSettings>().ValidateOnStart();
        return services;
    }
}
