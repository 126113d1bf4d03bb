using System.Text.Json;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using Backchannel.Host.Operations;
using Backchannel.Projections;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Privacy;
using JasperFx.CommandLine;
using Marten;

namespace Backchannel.Host.Cli;

public sealed class TokenInput : NetCoreInput
{
    [Description("The handle the token is for")]
    public string UserId { get; set; } = "";

    [Description("Give the token the operator role (reads the whole audit)")]
    public bool OperatorFlag { get; set; }
}

[Description("Mints a bearer token with this environment's signing key", Name = "token")]
public sealed class TokenCommand : JasperFxAsyncCommand<TokenInput>
{
    public override Task<bool> Execute(TokenInput input)
    {
        CliOutput.CommandStarted();
        if (!Rules.IsHandle(input.UserId))
            return Refuse($"Not a handle: {JsonSerializer.Serialize(input.UserId)}. A handle has 2 to 32 characters a-z, 0-9 or _.");
        using var host = input.BuildHost();
        if (!TokenIssuer.HasUsableKey(host.Services.GetRequiredService<AuthSettings>()))
            return Refuse($"No signing key: set {AuthSettings.Section}:SigningKey (at least 32 bytes of UTF-8) for this environment.");
        CliOutput.Out.WriteLine(host.Services.GetRequiredService<TokenIssuer>().Mint(input.UserId, input.OperatorFlag));
        CliOutput.Out.Flush();
        return Task.FromResult(true);
    }

    private static Task<bool> Refuse(string message)
    {
        Console.Error.WriteLine(message);
        return Task.FromResult(false);
    }
}

public sealed class AuditExportInput : NetCoreInput
{
    [Description("Write to this file instead of standard output")]
    public string? OutputFlag { get; set; }

    [Description("Export the audit of rooms, questions and events instead of that of message requests")]
    public bool RoomsFlag { get; set; }

    [Description("Export the audit of trust and safety's decisions (dismissals, removals, suspensions) instead")]
    public bool ModerationFlag { get; set; }
}

[Description("Exports an audit log (request decisions, or with --rooms room decisions) as JSON lines, oldest first", Name = "audit-export")]
public sealed class AuditExportCommand : JasperFxAsyncCommand<AuditExportInput>
{
    public override async Task<bool> Execute(AuditExportInput input)
    {
        CliOutput.CommandStarted();
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IBackchannelStore>();
        await using var session = store.QuerySession();
        await using var output = input.OutputFlag is null ? Console.OpenStandardOutput() : File.Create(input.OutputFlag);
        await session.WriteJsonLinesAsync(output, input.ModerationFlag ? AuditLog.Moderation : input.RoomsFlag ? AuditLog.Rooms : AuditLog.Requests);
        return true;
    }
}

public sealed class RebuildInput : NetCoreInput
{
    [Description("One view to rebuild (see ViewRebuilder.All: conversations, threads, rooms, questions, events, audit, room-audit, push, and the state snapshots); all when omitted")]
    public string? ViewFlag { get; set; }

    [Description("Rebuild even while a node's daemon runs on this database and schema (it would race the rebuild)")]
    public bool ForceFlag { get; set; }

    [Description("Rebuild while a node's daemon runs: each async view switches in at the daemon's own position, and the daemon goes on from there")]
    public bool CoordinateFlag { get; set; }
}

[Description("Rebuilds the views from the events alone, with progress", Name = "rebuild")]
public sealed class RebuildCommand : JasperFxAsyncCommand<RebuildInput>
{
    /// <summary>The exit code of an unknown view name.</summary>
    public const int UnknownView = 2;

    /// <summary>The exit code of a rebuild refused because a daemon runs.</summary>
    public const int DaemonRunning = 3;

    public override async Task<bool> Execute(RebuildInput input)
    {
        CliOutput.CommandStarted();
        if (input.ViewFlag is { } name && ViewRebuilder.Named(name) is null)
            return Refuse(UnknownView, $"Unknown view '{name}'. Views: {string.Join(", ", ViewRebuilder.All.Select(v => v.Name))}.");
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IBackchannelStore>();
        var daemonRuns = await DaemonPresence.IsRunningAsync(store);
        if (daemonRuns && !input.ForceFlag && !input.CoordinateFlag)
            return Refuse(DaemonRunning,
                $"A node's daemon is running on this database (schema {store.Options.DatabaseSchemaName}) and would race the rebuild: " +
                $"pass --coordinate to rebuild beside it, or stop it (or set {BackchannelSettings.Section}:Daemon=Off on every node) and retry, or pass --force.");
        var view = new RebuildProgressView(CliOutput.Out, CliOutput.IsTerminal, input.ViewFlag is null ? ViewRebuilder.All.Count : 1);
        var progress = new SynchronousProgress<ViewRebuilder.Progress>(view.Report);
        if (input.CoordinateFlag && daemonRuns) await store.RebuildBesideDaemonAsync(input.ViewFlag, progress, TimeSpan.FromMinutes(5));
        else await store.RebuildAsync(input.ViewFlag, progress);
        view.Finish();
        foreach (var generation in (await store.GenerationsAsync()).Where(g => input.ViewFlag is null || g.View == input.ViewFlag))
            CliOutput.Out.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"live: {generation.View} generation {generation.Number}, switched in at {generation.RebuiltAt:O} (event {generation.Position})"));
        CliOutput.Out.Flush();
        return true;
    }

    private static bool Refuse(int exitCode, string message)
    {
        Console.Error.WriteLine(message);
        CliOutput.ExitCode = exitCode;
        return false;
    }
}

public sealed class EraseInput : NetCoreInput
{
    [Description("The handle to erase")]
    public string UserFlag { get; set; } = "";

    [Description("The operator asking, recorded with the erasure (a handle)")]
    public string ByFlag { get; set; } = "operator";
}

[Description("Erases a user: masks every text they wrote in the events and views, and refuses their tokens; run it again to complete a run that stopped", Name = "erase")]
public sealed class EraseCommand : JasperFxAsyncCommand<EraseInput>
{
    public override async Task<bool> Execute(EraseInput input)
    {
        if (!Rules.IsHandle(input.UserFlag) || !Rules.IsHandle(input.ByFlag))
        {
            Console.Error.WriteLine("--user and --by must be handles (2 to 32 characters a-z, 0-9 or _).");
            return false;
        }
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IBackchannelStore>();
        var report = await store.EraseUserAsync(new Backchannel.Domain.Privacy.EraseUser(input.UserFlag, input.ByFlag, ByOperator: true),
            host.Services.GetRequiredService<TimeProvider>(),
            new SynchronousProgress<Backchannel.Projections.Privacy.ErasureProgress>(p =>
                Console.WriteLine($"{p.StreamKey}: {p.EventsMasked} events masked, {p.DocumentsChanged} documents changed")));
        Console.WriteLine($"{report.UserId}: erased, {report.Streams} streams, {report.EventsMasked} events masked, " +
                          $"{report.DocumentsChanged} documents changed{(report.AlreadyErased ? " (already erased before)" : "")}");
        return true;
    }
}
