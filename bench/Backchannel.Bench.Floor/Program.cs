using JasperFx;
using Marten;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten;

// The framework's floor for SendMessage: Wolverine's HTTP endpoint, Marten's event store, each left at its defaults
// as their getting-started guides put them together (the Marten integration, transactional middleware), in a schema
// of its own. No projection, no validation, no snapshot, no authentication: what any command costs before it decides.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMarten(opts =>
    {
        opts.Connection(builder.Configuration.GetConnectionString("Peer")
                        ?? "Host=127.0.0.1;Port=5432;Database=backchannel_bench;Username=backchannel;Password=backchannel");
        opts.DatabaseSchemaName = builder.Configuration["Peer:Schema"] ?? "floor";
    })
    .IntegrateWithWolverine();
builder.Host.UseWolverine(opts => opts.Policies.AutoApplyTransactions());
builder.Services.AddWolverineHttp();

var app = builder.Build();
app.MapWolverineEndpoints();
return await app.RunJasperFxCommands(args);
