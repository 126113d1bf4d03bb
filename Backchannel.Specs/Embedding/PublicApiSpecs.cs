using System.Reflection;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Projections;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Push;
using Backchannel.Specs.Support;
using FluentValidation;
using Shouldly;
using Wolverine.Runtime;

namespace Backchannel.Specs.Embedding;

/// <summary>
/// The public API is deliberate (docs/architecture.md, "Public API"). The baseline files make every change to it a
/// visible diff at build time; these specs pin what the baseline cannot: that the handlers, which Wolverine 6 only
/// discovers while they are public, expose nothing but their Handle methods, and that hiding the rest lost no handler.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class PublicApiSpecs(AppFixture app)
{
    private static readonly Assembly[] Packaged = [typeof(BackchannelSettings).Assembly, typeof(BackchannelRegistration).Assembly];

    private static IEnumerable<Type> Commands => typeof(BackchannelSettings).Assembly.GetExportedTypes()
        .Where(t => t.GetNestedType("Validator") is { } v && typeof(IValidator).IsAssignableFrom(v));

    [Fact]
    public void handlers_expose_only_the_methods_wolverine_calls()
    {
        var handlers = Packaged.SelectMany(a => a.GetExportedTypes()).Where(t => t.Name.EndsWith("Handler")).ToList();
        handlers.ShouldNotBeEmpty();
        var exposed = handlers
            .SelectMany(h => h.GetMembers(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m is not MethodInfo { Name: "Handle" or "HandleAsync" })
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}");
        exposed.ShouldBeEmpty();
    }

    [Fact]
    public void wolverine_still_finds_a_handler_for_every_command()
    {
        var graph = ((WolverineRuntime)app.Host.Services.GetRequiredService<IWolverineRuntime>()).Handlers;
        var commands = Commands.ToList();
        commands.Count.ShouldBeGreaterThan(40);
        commands.Where(c => graph.ChainFor(c) is null).Select(c => c.Name).ShouldBeEmpty();
    }

    [Fact]
    public void the_io_shells_locks_and_projections_are_not_public()
    {
        Type[] inside =
        [
            typeof(WriteSet), typeof(RateLimitLock), typeof(StreamDecision), typeof(StreamKinds), typeof(CommandValidationPolicy),
            typeof(RequestQuota), typeof(Admission), typeof(MessageStateProjection),
            typeof(ConversationViewProjection), typeof(PushFeedProjection), typeof(FeedWriter), typeof(ViewerRules),
        ];
        inside.Where(t => t.IsVisible).Select(t => t.Name).ShouldBeEmpty();
    }

    [Fact]
    public void every_command_event_and_view_an_app_uses_is_public()
    {
        Type[] outside =
        [
            typeof(RequestConversation), typeof(ConversationRequested), typeof(MessageSent), typeof(RequestAccepted),
            typeof(JoinRoom), typeof(ConversationView), typeof(InboxItem), typeof(PushFeed), typeof(BackchannelSettings),
            typeof(BackchannelRegistration), typeof(RuleViolation),
        ];
        outside.Where(t => !t.IsVisible).Select(t => t.Name).ShouldBeEmpty();
    }
}
