using Backchannel.Host;
using JasperFx;

Backchannel.Host.Cli.CliOutput.Install(args);
var app = BackchannelHost.Build(args);
if (StartupCheck.Fails(app, args, Console.Error)) return 1;
var exit = await app.RunJasperFxCommands(args);
return Backchannel.Host.Cli.CliOutput.ExitCode ?? exit;

/// <summary>The entry point, public so that in-process tests can host it.</summary>
public partial class Program;
