using Backchannel.Host;
using JasperFx;

Backchannel.Host.Cli.CliOutput.Install(args);
var app = BackchannelHost.Build(args);
if (StartupCheck.Fails(app, args, Console.Error)) return 1;
// Serving skips the command runner, as the runner itself does for ASP.NET flags: its discovery of commands loads every
// assembly that references JasperFx, Roslyn's among them, into a host that compiles nothing (CodeLoading).
if (args.Length == 0)
{
    await app.RunAsync();
    return 0;
}
var exit = await app.RunJasperFxCommands(args);
return Backchannel.Host.Cli.CliOutput.ExitCode ?? exit;

/// <summary>The entry point, public so that in-process tests can host it.</summary>
public partial class Program;
