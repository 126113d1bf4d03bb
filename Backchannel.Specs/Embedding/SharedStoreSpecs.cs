using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Shouldly;
using Wolverine;
using Wolverine.Marten;

namespace Backchannel.Specs.Embedding;

/// <summary>
/// An app that opts in keeps Backchannel's documents in its own store, so one of its handlers can change its own
/// documents and read or write Backchannel's in one transaction.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class SharedStoreSpecs : IAsyncLifetime
{
    private const string Schema = "shared_app";
    private IHost _app = null!;

    public async Task InitializeAsync()
    {
        await using (var connection = new NpgsqlConnection(AppFixture.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
            await drop.ExecuteNonQueryAsync();
        }
        _app = await Microsoft.Extensions.Hosting.Host.CreateDefaultBuilder()
            .ConfigureServices(services =>
            {
                services.AddMarten(opts =>
                    {
                        opts.Connection(AppFixture.ConnectionString);
                        opts.DatabaseSchemaName = Schema;
                    })
                    .IntegrateWithWolverine()
                    .AddAsyncDaemon(DaemonMode.Solo);
                services.AddBackchannel(configure: store => store.ShareAppStore = true);
            })
            .UseWolverine(opts => opts.Discovery.IncludeType(typeof(WelcomeNoteHandler)))
            .StartAsync();
        await _app.ResetAllMartenDataAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task backchannel_lives_in_the_apps_store_and_its_commands_work()
    {
        var appStore = _app.Services.GetRequiredService<IDocumentStore>();
        var backchannel = _app.Services.GetRequiredService<IBackchannelStore>();
        backchannel.Options.DatabaseSchemaName.ShouldBe(Schema);
        ReferenceEquals(backchannel.Options, appStore.Options).ShouldBeTrue();

        var bus = _app.Services.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync(new RequestConversation("shared-1", "ayu", ["budi"], "hi, shared", null));
        await bus.InvokeAsync(new AcceptRequest("shared-1", "budi"));

        await using var session = backchannel.QuerySession();
        (await session.InboxAsync("budi")).ShouldHaveSingleItem().ConversationId.ShouldBe("shared-1");
    }

    [Fact]
    public async Task an_apps_handler_writes_its_document_beside_backchannels_view_in_one_session()
    {
        var bus = _app.Services.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync(new RequestConversation("shared-2", "ayu", ["budi"], "hi", null));

        await bus.InvokeAsync(new NoteWelcome("shared-2", "budi"));

        await using var session = _app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var note = (await session.LoadAsync<WelcomeNote>("shared-2"))!;
        note.OpeningMessage.ShouldBe("hi", "the app's handler read Backchannel's view through its own session");
    }
}

/// <summary>An app's command and document, kept beside Backchannel's in the app's store.</summary>
public sealed record NoteWelcome(string ConversationId, string UserId);

public sealed class WelcomeNote
{
    public string Id { get; set; } = "";
    public string? OpeningMessage { get; set; }
}

public static class WelcomeNoteHandler
{
    public static async Task Handle(NoteWelcome command, IDocumentSession session)
    {
        var thread = await session.ThreadAsync(command.UserId, command.ConversationId);
        session.Store(new WelcomeNote { Id = command.ConversationId, OpeningMessage = thread?.Messages.FirstOrDefault()?.Text });
        await session.SaveChangesAsync();
    }
}
