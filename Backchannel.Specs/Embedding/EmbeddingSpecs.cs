using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Hosting;
using Shouldly;
using Wolverine;
using Wolverine.Marten;

namespace Backchannel.Specs.Embedding;

/// <summary>
/// An app embeds Backchannel with one call on its own Marten and Wolverine set-up, in a plain generic host (no
/// ASP.NET), and drives it through <see cref="IMessageBus"/>.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class EmbeddingSpecs : IAsyncLifetime
{
    private IHost _app = null!;

    public async Task InitializeAsync()
    {
        _app = await Microsoft.Extensions.Hosting.Host.CreateDefaultBuilder()
            .ConfigureServices(services =>
            {
                services.AddMarten(opts =>
                    {
                        opts.Connection(AppFixture.ConnectionString);
                        opts.DatabaseSchemaName = "embedded_app";
                    })
                    .IntegrateWithWolverine()
                    .AddAsyncDaemon(DaemonMode.Solo);
                services.AddBackchannel();
            })
            .UseWolverine()
            .StartAsync();
        await _app.ResetAllMartenDataAsync();
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        _app.Dispose();
    }

    [Fact]
    public async Task an_app_sends_the_commands_and_reads_the_views_without_http()
    {
        var bus = _app.Services.GetRequiredService<IMessageBus>();
        var started = await bus.InvokeAsync<ConversationRequested>(new RequestConversation("embedded-1", "ayu", ["budi"], "hi from the app", null));
        started.Started.ShouldBeTrue();
        await bus.InvokeAsync(new AcceptRequest("embedded-1", "budi"));
        await bus.InvokeAsync(new SendMessage("embedded-1", "reply-1", "budi", "hello, app", null));

        await using var session = _app.Services.GetRequiredService<IDocumentStore>().QuerySession();
        (await session.RequestsAsync("budi")).ShouldBeEmpty();
        var inbox = await session.InboxAsync("ayu");
        inbox.ShouldHaveSingleItem().UnreadCount.ShouldBe(1);
        inbox[0].LastMessage!.Text.ShouldBe("hello, app");
        var thread = (await session.ThreadAsync("budi", "embedded-1"))!;
        thread.Messages.Select(m => m.Text).ShouldBe(["hi from the app", "hello, app"]);
    }

    [Fact]
    public async Task the_embedded_domain_validates_commands_and_enforces_its_rules()
    {
        var bus = _app.Services.GetRequiredService<IMessageBus>();

        var invalid = await Should.ThrowAsync<FluentValidation.ValidationException>(() =>
            bus.InvokeAsync(new SendMessage("embedded-2", "m", "ayu", "", null)));
        invalid.Errors.ShouldContain(e => e.PropertyName == nameof(SendMessage.Text));

        await bus.InvokeAsync(new SetMessagePolicy("budi", MessagePolicy.Following));
        var refused = await bus.InvokeAsync<ConversationRequested>(new RequestConversation("embedded-2", "ayu", ["budi"], "hi", null));
        refused.RefusedBy.ShouldBe(["budi"]);
        var violation = await Should.ThrowAsync<Backchannel.Domain.Common.RuleViolation>(() =>
            bus.InvokeAsync(new SendMessage("embedded-2", "m", "ayu", "anyone there?", null)));
        violation.Code.ShouldBe("conversation_not_found");
    }
}
