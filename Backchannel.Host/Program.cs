using Backchannel.Host;
using JasperFx;

var app = BackchannelHost.Build(args);
return await app.RunJasperFxCommands(args);
