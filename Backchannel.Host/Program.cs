using Backchannel.Host;
using JasperFx;

var app = BackchannelHost.Build(args);
return await app.RunJasperFxCommands(args);

/// <summary>The entry point, public so that in-process tests can host it.</summary>
public partial class Program;
