using Backchannel.Domain.Common;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Backchannel.Projections;

/// <summary>
/// Where Backchannel's own Marten store lives and who runs its async views: the connection string
/// <c>Backchannel</c> and the keys <c>Backchannel:Schema</c>, <c>Backchannel:Daemon</c>,
/// <c>Backchannel:DaemonPolling</c> and <c>Backchannel:DaemonGathering</c>, or set in code through <c>AddBackchannel(configuration, store => ...)</c>.
/// </summary>
public sealed class BackchannelStoreSettings
{
    /// <summary>The name of the connection string Backchannel reads by default.</summary>
    public const string ConnectionStringName = "Backchannel";

    /// <summary>The PostgreSQL connection string of Backchannel's store (it may be the app's own database).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The database schema holding Backchannel's tables, apart from the app's.</summary>
    public string Schema { get; set; } = "backchannel";

    /// <summary>Where this node's async views (audit, push feed) run.</summary>
    public DaemonChoice Daemon { get; set; } = DaemonChoice.Solo;

    /// <summary>
    /// How long the daemon waits for new events before it looks anyway. Every commit of events wakes the daemon of
    /// every node at once (PostgreSQL <c>LISTEN/NOTIFY</c>); the poll is the safety net for a notification lost with its
    /// connection, and the async views' lag only when that happens. One cheap query of the event sequence per period.
    /// </summary>
    public TimeSpan DaemonPolling { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The least time between two looks of the daemon that commits woke: a commit after a quiet spell wakes it at once,
    /// one soon after its last look waits out the rest of this, so a busy node reads many commits per look rather than
    /// one (each look reads and records progress once per async view, on the cores the commands need). Zero looks at
    /// every commit. Shorter than <see cref="DaemonPolling"/>.
    /// </summary>
    public TimeSpan DaemonGathering { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>
    /// Keep Backchannel's events and documents in the app's own Marten store (the app's <c>AddMarten</c>) instead of a
    /// store of its own, so an app's handler can change its documents and Backchannel's in one transaction. Backchannel
    /// then sets that store's serializer (System.Text.Json, camelCase, enums as strings) and stream identity (strings),
    /// and the app's daemon runs Backchannel's async views; <see cref="ConnectionString"/>, <see cref="Schema"/>,
    /// <see cref="Daemon"/>, <see cref="DaemonPolling"/> and <see cref="DaemonGathering"/> are the app's store's. Off by default: Backchannel isolates.
    /// </summary>
    public bool ShareAppStore { get; set; }

    /// <summary>Further changes to Backchannel's Marten store (tuning, a data source), applied last.</summary>
    public Action<StoreOptions>? Marten { get; set; }

    /// <summary>Reads the settings from <paramref name="configuration"/>; an unreadable value is left at its default
    /// here and reported at start by <see cref="BackchannelStoreSettingsValidator"/>.</summary>
    public static BackchannelStoreSettings From(IConfiguration? configuration)
    {
        var settings = new BackchannelStoreSettings();
        if (configuration is null) return settings;
        settings.ConnectionString = configuration.GetConnectionString(ConnectionStringName);
        var section = configuration.GetSection(BackchannelSettings.Section);
        if (section[nameof(Schema)] is { } schema) settings.Schema = schema;
        if (section[nameof(Daemon)] is { } daemonText)
        {
            if (Enum.TryParse<DaemonChoice>(daemonText, ignoreCase: true, out var daemon) && Enum.IsDefined(daemon)) settings.Daemon = daemon;
            else settings.unreadable.Add((nameof(Daemon), $"must be one of {string.Join(", ", Enum.GetNames<DaemonChoice>())}", $"'{daemonText}'"));
        }
        if (section[nameof(DaemonPolling)] is { } pollingText)
        {
            if (TimeSpan.TryParse(pollingText, System.Globalization.CultureInfo.InvariantCulture, out var polling)) settings.DaemonPolling = polling;
            else settings.unreadable.Add((nameof(DaemonPolling), "must be a time span like 00:00:00.010", $"'{pollingText}'"));
        }
        if (section[nameof(DaemonGathering)] is { } gatheringText)
        {
            if (TimeSpan.TryParse(gatheringText, System.Globalization.CultureInfo.InvariantCulture, out var gathering)) settings.DaemonGathering = gathering;
            else settings.unreadable.Add((nameof(DaemonGathering), "must be a time span like 00:00:00.025", $"'{gatheringText}'"));
        }
        return settings;
    }

    private readonly List<(string Key, string Rule, string Found)> unreadable = [];

    internal IReadOnlyList<(string Key, string Rule, string Found)> Unreadable => unreadable;

    internal void CopyFrom(BackchannelStoreSettings other)
    {
        unreadable.Clear();
        unreadable.AddRange(other.unreadable);
        ConnectionString = other.ConnectionString;
        Schema = other.Schema;
        Daemon = other.Daemon;
        DaemonPolling = other.DaemonPolling;
        DaemonGathering = other.DaemonGathering;
        Marten = other.Marten;
        ShareAppStore = other.ShareAppStore;
    }
}

/// <summary>Where a node's async views (audit, push feed) run: setting <c>Backchannel:Daemon</c>.</summary>
public enum DaemonChoice
{
    /// <summary>This node runs every async view (one node).</summary>
    Solo,

    /// <summary>Wolverine assigns each async view to one live node (several nodes on one database).</summary>
    Distributed,

    /// <summary>Another node runs them.</summary>
    Off,
}

/// <summary>Checks <see cref="BackchannelStoreSettings"/> at start, one line per failure naming the key.</summary>
internal sealed class BackchannelStoreSettingsValidator : IValidateOptions<BackchannelStoreSettings>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, BackchannelStoreSettings settings)
    {
        var connection = new SettingChecks("ConnectionStrings");
        if (!settings.ShareAppStore) connection.Required(BackchannelStoreSettings.ConnectionStringName, settings.ConnectionString);
        var check = new SettingChecks(BackchannelSettings.Section);
        foreach (var (key, rule, found) in settings.Unreadable) check.Fail(key, rule, found);
        check.Required(nameof(settings.Schema), settings.Schema);
        check.Positive(nameof(settings.DaemonPolling), settings.DaemonPolling);
        if (settings.DaemonGathering < TimeSpan.Zero || (settings.DaemonPolling > TimeSpan.Zero && settings.DaemonGathering >= settings.DaemonPolling))
            check.Fail(nameof(settings.DaemonGathering), $"must be at least zero and shorter than DaemonPolling ({settings.DaemonPolling})",
                settings.DaemonGathering.ToString("c"));
        var failures = new[] { connection.Result, check.Result }.Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
