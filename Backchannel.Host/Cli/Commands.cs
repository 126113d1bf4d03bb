using System.Text.Json;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using Backchannel.Projections;
using Backchannel.Projections.Audit;
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
        if (!Rules.IsHandle(input.UserId))
            return Refuse($"Not a handle: {JsonSerializer.Serialize(input.UserId)}. A handle has 2 to 32 characters a-z, 0-9 or _.");
        using var host = input.BuildHost();
        if (!TokenIssuer.HasUsableKey(host.Services.GetRequiredService<AuthSettings>()))
            return Refuse($"No signing key: set {AuthSettings.Section}:SigningKey (at least 32 bytes of UTF-8) for this environment.");
        Console.WriteLine(host.Services.GetRequiredService<TokenIssuer>().Mint(input.UserId, input.OperatorFlag));
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
}

[Description("Rebuilds the views from the events alone, with progress", Name = "rebuild")]
public sealed class RebuildCommand : JasperFxAsyncCommand<RebuildInput>
{
    public override async Task<bool> Execute(RebuildInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IBackchannelStore>();
        await store.RebuildAsync(input.ViewFlag, new SynchronousProgress<ViewRebuilder.Progress>(p =>
            Console.WriteLine(p.Stage == "rebuilding"
                ? $"{p.View}: rebuilding..."
                : $"{p.View}: rebuilt, {p.Documents} documents in {p.Elapsed.TotalSeconds:F1}s")));
        return true;
    }
}
