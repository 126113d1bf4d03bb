using Backchannel.Host;
using JasperFx;

var app = BackchannelHost.Build(args);
if (StartupCheck.Fails(app, args, Console.Error)) return 1;
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, public so that in-process tests can host it.</summary>
public partial class Program;
