using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Backchannel.Host;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Shouldly;

namespace Backchannel.Specs.Startup;

/// <summary>
/// Every setting is checked when the host starts: a wrong value stops the start, before anything listens or handles a
/// message, with one line naming the key, the rule and the value found.
/// </summary>
public sealed class SettingsSpecs
{
    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["ConnectionStrings:Backchannel"] = AppFixture.ConnectionString,
        ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
        ["Backchannel:Daemon"] = "Off",
    };

    /// <summary>The real host's composition with <paramref name="overrides"/> on top of valid settings.</summary>
    private static WebApplication Compose(string environment, params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in overrides) settings[key] = value;
        return BackchannelHost.Build([], builder =>
        {
            builder.Environment.EnvironmentName = environment;
            builder.Configuration.AddInMemoryCollection(settings);
        });
    }

    [Theory]
    [InlineData("Backchannel:MaxGroupMembers", "-5", "Backchannel:MaxGroupMembers must be at least 3 (was -5)")]
    [InlineData("Backchannel:MaxGroupMembers", "2", "Backchannel:MaxGroupMembers must be at least 3 (was 2)")]
    [InlineData("Backchannel:PendingRequestMessageCap", "0", "Backchannel:PendingRequestMessageCap must be at least 1 (was 0)")]
    [InlineData("Backchannel:PushRetention", "00:00:00", "Backchannel:PushRetention must be longer than zero (was 00:00:00)")]
    [InlineData("Backchannel:PushHeartbeat", "-00:00:01", "Backchannel:PushHeartbeat must be longer than zero (was -00:00:01)")]
    [InlineData("Backchannel:PushPolling", "00:00:00", "Backchannel:PushPolling must be longer than zero (was 00:00:00)")]
    [InlineData("Backchannel:RateLimits:RequestsPerHour", "0", "Backchannel:RateLimits:RequestsPerHour must be at least 1 (was 0)")]
    [InlineData("Backchannel:RateLimits:PendingMessagesPerMinute", "-1", "Backchannel:RateLimits:PendingMessagesPerMinute must be at least 1 (was -1)")]
    [InlineData("Backchannel:RateLimits:QuestionsPerMinutePerRoom", "0", "Backchannel:RateLimits:QuestionsPerMinutePerRoom must be at least 1 (was 0)")]
    [InlineData("Backchannel:PushStreamsPerUser", "0", "Backchannel:PushStreamsPerUser must be at least 1 (was 0)")]
    [InlineData("Backchannel:PushStreamsPerNode", "-1", "Backchannel:PushStreamsPerNode must be at least 1 (was -1)")]
    [InlineData("Backchannel:RateLimits:RoomsPerHour", "0", "Backchannel:RateLimits:RoomsPerHour must be at least 1 (was 0)")]
    [InlineData("Backchannel:RateLimits:EventsPerHour", "0", "Backchannel:RateLimits:EventsPerHour must be at least 1 (was 0)")]
    [InlineData("Backchannel:MaxRequestBodyBytes", "1000", "Backchannel:MaxRequestBodyBytes must be at least 32768, above the largest valid body (was 1000)")]
    [InlineData("Backchannel:RateLimits:WarnAtShare", "0", "Backchannel:RateLimits:WarnAtShare must be above 0 and at most 1 (was 0)")]
    [InlineData("Backchannel:RateLimits:WarnAtShare", "1.5", "Backchannel:RateLimits:WarnAtShare must be above 0 and at most 1 (was 1.5)")]
    [InlineData("Backchannel:Daemon", "HotCold", "Backchannel:Daemon must be one of Solo, Distributed, Off (was 'HotCold')")]
    [InlineData("Backchannel:DaemonPolling", "00:00:00", "Backchannel:DaemonPolling must be longer than zero (was 00:00:00)")]
    [InlineData("Backchannel:DaemonGathering", "00:00:00.250", "Backchannel:DaemonGathering must be at least zero and shorter than DaemonPolling (00:00:00.2500000) (was 00:00:00.2500000)")]
    [InlineData("Backchannel:DaemonGathering", "-00:00:00.001", "Backchannel:DaemonGathering must be at least zero and shorter than DaemonPolling (00:00:00.2500000) (was -00:00:00.0010000)")]
    [InlineData("Backchannel:DaemonGathering", "soon", "Backchannel:DaemonGathering must be a time span like 00:00:00.025 (was 'soon')")]
    [InlineData("Backchannel:Schema", " ", "Backchannel:Schema must be set (was ' ')")]
    [InlineData("Backchannel:PushTicketLifetime", "00:00:00", "Backchannel:PushTicketLifetime must be longer than zero (was 00:00:00)")]
    [InlineData("Backchannel:PushTicketLifetime", "00:10:00", "Backchannel:PushTicketLifetime must be at most 00:05:00 (was 00:10:00)")]
    [InlineData("Backchannel:Cors:Origins:0", "*", "Backchannel:Cors:Origins:0 must be an origin such as https://app.example.com (scheme and host, no path or wildcard) (was '*')")]
    [InlineData("Backchannel:Cors:Origins:0", "https://app.example.com/", "Backchannel:Cors:Origins:0 must be an origin such as https://app.example.com (scheme and host, no path or wildcard) (was 'https://app.example.com/')")]
    [InlineData("Backchannel:Health:MaxViewLag", "0", "Backchannel:Health:MaxViewLag must be at least 1 (was 0)")]
    [InlineData("Backchannel:Cluster:HealthCheckPolling", "00:00:00", "Backchannel:Cluster:HealthCheckPolling must be longer than zero (was 00:00:00)")]
    [InlineData("Backchannel:Cluster:FirstHealthCheck", "-00:00:01", "Backchannel:Cluster:FirstHealthCheck must not be negative (was -00:00:01)")]
    [InlineData("Backchannel:Cluster:StaleNodeTimeout", "00:00:00", "Backchannel:Cluster:StaleNodeTimeout must be longer than zero (was 00:00:00)")]
    [InlineData("Backchannel:Cluster:CheckAssignmentPeriod", "-00:00:05", "Backchannel:Cluster:CheckAssignmentPeriod must be longer than zero (was -00:00:05)")]
    [InlineData("Backchannel:Auth:SigningKey", "", "Backchannel:Auth:SigningKey must be at least 32 bytes of UTF-8 (was absent)")]
    [InlineData("Backchannel:Auth:SigningKey", "thirty-one-bytes-is-one-too-few", "Backchannel:Auth:SigningKey must be at least 32 bytes of UTF-8 (was 31 bytes)")]
    [InlineData("Backchannel:Auth:Issuer", "", "Backchannel:Auth:Issuer must be set (was '')")]
    [InlineData("Backchannel:Auth:Audience", " ", "Backchannel:Auth:Audience must be set (was ' ')")]
    [InlineData("Backchannel:Auth:TokenLifetime", "00:00:00", "Backchannel:Auth:TokenLifetime must be longer than zero (was 00:00:00)")]
    public async Task a_wrong_setting_stops_the_start_naming_its_key_and_rule(string key, string value, string line)
    {
        await using var app = Compose("Production", (key, value));

        var refused = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync());

        refused.Failures.ShouldBe([line]);
    }

    [Fact]
    public async Task every_wrong_setting_is_reported_not_only_the_first()
    {
        await using var app = Compose("Production", ("Backchannel:MaxGroupMembers", "-5"), ("Backchannel:RateLimits:WarnAtShare", "2"));

        var refused = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync());

        refused.Failures.ShouldBe([
            "Backchannel:MaxGroupMembers must be at least 3 (was -5)",
            "Backchannel:RateLimits:WarnAtShare must be above 0 and at most 1 (was 2)",
        ]);
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public void the_shipped_defaults_pass(string environment)
    {
        using var app = (IDisposable)Compose(environment);

        Should.NotThrow(() => ((IHost)app).Services.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public async Task production_without_a_signing_key_exits_non_zero_before_it_listens()
    {
        var port = FreePort();
        var dll = Path.Combine(AppContext.BaseDirectory, "Backchannel.Host.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}" },
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The child must not inherit the key the in-process fixture set for this test run.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("Backchannel__") || k.StartsWith("ConnectionStrings__")).ToList())
            start.Environment.Remove(inherited);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Backchannel"] = AppFixture.ConnectionString;

        using var host = Process.Start(start)!;
        var output = host.StandardOutput.ReadToEndAsync();
        var errors = host.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await host.WaitForExitAsync(patience.Token);

        host.ExitCode.ShouldNotBe(0);
        (await errors).ShouldBe("Backchannel:Auth:SigningKey must be at least 32 bytes of UTF-8 (was absent)" + Environment.NewLine);
        (await output).ShouldNotContain("Now listening");
        Should.Throw<SocketException>(() => new TcpClient().Connect(IPAddress.Loopback, port));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task an_app_without_a_connection_string_for_backchannel_stops_at_start_naming_it()
    {
        // No defaults: the specs' own process sets ConnectionStrings__Backchannel in the environment.
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddBackchannel(builder.Configuration);
        Wolverine.HostBuilderExtensions.UseWolverine(builder, _ => { });
        using var app = builder.Build();

        var refused = await Should.ThrowAsync<OptionsValidationException>(() => app.StartAsync());

        refused.Failures.ShouldBe(["ConnectionStrings:Backchannel must be set (was absent)"]);
    }
}
