using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wolverine;

var builder = Host.CreateApplicationBuilder(args);

// Backchannel keeps its events and views in a Marten store of its own (schema "backchannel", connection string
// "Backchannel"), beside any store of the app's, and adds its handlers to the app's Wolverine.
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

await using var session = host.Services.GetRequiredService<IBackchannelStore>().QuerySession();
var inbox = await session.InboxAsync(budi);
Console.WriteLine($"{budi} accepted {ayu}'s request: inbox {inbox.Count}, last message \"{inbox[0].LastMessage?.Text}\"");

await host.StopAsync();
