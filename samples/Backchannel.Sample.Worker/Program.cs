using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wolverine;
using Wolverine.Marten;

var builder = Host.CreateApplicationBuilder(args);

// The app's own Marten and Wolverine; AddBackchannel adds Backchannel's events, views, handlers and settings to them.
builder.Services.AddMarten(opts =>
    {
        opts.Connection(builder.Configuration.GetConnectionString("Backchannel") ?? throw new InvalidOperationException("Set ConnectionStrings:Backchannel."));
        opts.DatabaseSchemaName = "sample";
    })
    .IntegrateWithWolverine()
    .AddAsyncDaemon(DaemonMode.Solo);
builder.Services.AddBackchannel(builder.Configuration);
builder.UseWolverine(_ => { });

using var host = builder.Build();
await host.StartAsync();

// Fresh handles each run, so the sample can run again and again within the hourly request limit.
var run = Guid.NewGuid().ToString("N")[..8];
var (ayu, budi, conversation) = ($"ayu_{run}", $"budi_{run}", $"sample-{run}");

using var scope = host.Services.CreateScope();
var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
await bus.InvokeAsync<ConversationRequested>(new RequestConversation(conversation, ayu, [budi], "hi from a worker", null));
await bus.InvokeAsync(new AcceptRequest(conversation, budi));

await using var session = host.Services.GetRequiredService<IDocumentStore>().QuerySession();
var inbox = await session.InboxAsync(budi);
Console.WriteLine($"{budi} accepted {ayu}'s request: inbox {inbox.Count}, last message \"{inbox[0].LastMessage?.Text}\"");

await host.StopAsync();
