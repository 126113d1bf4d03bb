using System.Reflection;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Privacy;
using Backchannel.Projections.Push;
using Backchannel.Projections.Rooms;
using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Weasel.Core;
using Weasel.Postgresql.Tables;
using Wolverine;
using Wolverine.Attributes;
using Wolverine.Configuration;
using Wolverine.ErrorHandling;
using Wolverine.Marten;
using Wolverine.Runtime.Handlers;

namespace Backchannel.Projections;

/// <summary>The one call that adds Backchannel to an app.</summary>
public static class BackchannelRegistration
{
    /// <summary>
    /// Adds Backchannel to the app: its own Marten store (<see cref="IBackchannelStore"/>: its events, decision state
    /// and views in a schema of their own), its handlers, transactions and retries in the app's Wolverine (applied to
    /// Backchannel's handlers only), its async views, its push feed, and its settings (section <c>Backchannel</c> of
    /// <paramref name="configuration"/>, validated at start). The app's own Marten store, serializer and handlers are
    /// left as they are. The app still calls <c>UseWolverine()</c> itself.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">
    /// Where settings come from: section <c>Backchannel</c> and the connection string <c>Backchannel</c>.
    /// </param>
    /// <param name="configure">Changes to the store's settings after they are read from configuration.</param>
    public static IServiceCollection AddBackchannel(this IServiceCollection services, IConfiguration? configuration = null,
        Action<BackchannelStoreSettings>? configure = null)
    {
        var settings = services.AddOptions<BackchannelSettings>();
        if (configuration is not null) settings.Bind(configuration.GetSection(BackchannelSettings.Section));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<BackchannelSettings>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddBackchannelSettingsValidation();
        services.AddValidatorsFromAssemblyContaining<BackchannelSettings>(ServiceLifetime.Singleton, includeInternalTypes: false);

        var store = BackchannelStoreSettings.From(configuration);
        configure?.Invoke(store);
        services.AddSingleton(store);
        services.AddOptions<BackchannelStoreSettings>().Configure(copy => copy.CopyFrom(store)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BackchannelStoreSettings>, BackchannelStoreSettingsValidator>());
        var feedCommits = new FeedCommits();
        services.TryAddSingleton(feedCommits);
        var feed = new PushFeedProjection(new ConversationFeedSource(), new RoomFeedSource());
        if (store.ShareAppStore)
        {
            services.ConfigureMarten((sp, opts) =>
            {
                ConfigureStore(opts, feedCommits, feed);
                feed.Keeping = KeepingOf(sp);
                store.Marten?.Invoke(opts);
            });
            services.AddSingleton<IBackchannelStore>(sp => AppStoreShare.Of(sp.GetRequiredService<IDocumentStore>()));
        }
        else AddStore(services, store, feedCommits, feed);

        services.TryAddSingleton(sp => new CommandPipeline(sp.GetRequiredService<IBackchannelStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CommandPipeline>>(), InlineStreamViews));
        services.AddHostedService<CommandPipelineWriter>();
        services.AddSingleton<IWolverineExtension>(new BackchannelWolverineExtension());
        services.TryAddSingleton(sp => new FeedWatcher(sp.GetRequiredService<IBackchannelStore>(), sp.GetRequiredService<BackchannelSettings>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<FeedWatcher>>(), feedCommits));
        services.AddHostedService(sp => sp.GetRequiredService<FeedWatcher>());
        services.TryAddSingleton<PushFeed>();
        services.TryAddSingleton<PushStreamSlots>();
        services.AddHostedService<FeedPruner>();
        return services;
    }

    /// <summary>The feed's retention, by the clock its pruner reads.</summary>
    private static FeedKeeping KeepingOf(IServiceProvider services) =>
        new(services.GetRequiredService<BackchannelSettings>().PushRetention, services.GetRequiredService<TimeProvider>());

    private static void AddStore(IServiceCollection services, BackchannelStoreSettings settings, FeedCommits feedCommits, PushFeedProjection feed)
    {
        var commitsChannel = DaemonWakeup.ChannelOf(settings.Schema);
        var marten = services.AddMartenStore<IBackchannelStore>(opts =>
            {
                // The store is built while the host starts its services, before options are validated: a wrong setting
                // stops it here with the same lines the validation gives.
                var checkedSettings = new BackchannelStoreSettingsValidator().Validate(null, settings);
                if (checkedSettings.Failed)
                    throw new OptionsValidationException(nameof(BackchannelStoreSettings), typeof(BackchannelStoreSettings), checkedSettings.Failures);
                opts.Connection(StoreConnection.Tuned(settings.ConnectionString!));
                opts.DatabaseSchemaName = settings.Schema;
                // Every append notifies (LISTEN/NOTIFY): each node's daemon wakes on the commit instead of at its next
                // poll, which is left as the safety net for a notification lost with its connection. Backchannel's own
                // notification and wake-up rather than Marten's, which wakes the daemon once per commit, however busy.
                opts.Events.UseListenNotifyForEventAppends = false;
                opts.Listeners.Add(new NotifyOnAppend(commitsChannel));
                opts.Projections.SlowPollingTime = settings.DaemonPolling;
                opts.Projections.FastPollingTime = settings.DaemonPolling;
                ConfigureStore(opts, feedCommits, feed);
                settings.Marten?.Invoke(opts);
            })
            .UseLightweightSessions()
            // Schema changes are applied once, before the daemon starts, rather than lazily by whichever shard or
            // request first touches a table: two of them creating the same new index at once make one fail.
            .ApplyAllDatabaseChangesOnStartup();
        services.AddSingleton(sp => new DaemonWakeup(NpgsqlDataSource.Create(StoreConnection.Tuned(settings.ConnectionString!)),
            commitsChannel, settings.DaemonGathering,
            // The daemon's waits are real time, whatever clock the app's rules read.
            TimeProvider.System, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<DaemonWakeup>>()));
        services.ConfigureMarten<IBackchannelStore>((sp, opts) =>
        {
            opts.Projections.Wakeup = sp.GetRequiredService<DaemonWakeup>();
            feed.Keeping = KeepingOf(sp);
        });
        // Solo: this node runs every async view. Distributed: Wolverine assigns each view to one live node (several
        // nodes on one database). Off: another node runs them. Never both AddAsyncDaemon and Wolverine's distribution.
        switch (settings.Daemon)
        {
            case DaemonChoice.Solo: marten.IntegrateWithWolverine().AddAsyncDaemon(DaemonMode.Solo); break;
            case DaemonChoice.Distributed: marten.IntegrateWithWolverine(w => w.UseWolverineManagedEventSubscriptionDistribution = true); break;
            default: marten.IntegrateWithWolverine(); break;
        }
    }

    /// <summary>The inline views below kept one per stream, by the state of their stream: the pipeline reads them with its locks.</summary>
    internal static readonly IReadOnlyList<StreamView> InlineStreamViews =
    [
        StreamView.Of<Conversation, ConversationView>(), StreamView.Of<Domain.Rooms.Room, RoomView>(),
        StreamView.Of<Domain.Questions.Question, QuestionView>(), StreamView.Of<Domain.Planning.PlannedEvent, EventView>(),
    ];

    private static void ConfigureStore(StoreOptions opts, FeedCommits feedCommits, PushFeedProjection feed)
    {
        opts.Projections.AsyncListeners.Add(feedCommits);
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase, StoredJson.Configure);
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        DecisionStore.Configure(opts);
        Safety.SafetyRegistration.AddSafety(opts);

        // Views: inline where the actor must read their own write, async where lag is acceptable (the audit).
        opts.Projections.Add<ConversationViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<RoomViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<QuestionViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<EventViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<RequestAuditProjection>(ProjectionLifecycle.Async);
        opts.Projections.Add<RoomAuditProjection>(ProjectionLifecycle.Async);
        // The push feed: each capability whose events change someone's views adds its feed source here.
        opts.Projections.Add(feed, ProjectionLifecycle.Async);

        // Indexed only where a query looks: every index is written at every update of its document (a conversation's
        // view at every message) and built again by every rebuild, and a GIN index over a whole document holds each of
        // its values.
        opts.Schema.For<ConversationView>().GinIndexJsonDataMember(c => c.InboxOf).GinIndexJsonDataMember(c => c.RequestsOf)
            // An export finds a user's conversations by the members' ids alone: an index over the whole members (each
            // member's every value) changed at every message, as a member's reading moves on.
            .GinIndexJsonDataMember(c => c.Members, index =>
            {
                index.Name = Exporting.MemberIdsIndex;
                index.Mask = $"{Exporting.MemberIdsOf("?")} jsonb_path_ops";
            });
        // A thread reads its messages from the documents its decisions keep (one per message), a range of sequences of
        // one conversation, newest first: one index answers it (and the unread counts), and holds that a sequence
        // numbers one message of its conversation.
        opts.Schema.For<MessageState>()
            .UniqueIndex(UniqueIndexType.DuplicatedField, "mt_doc_messagestate_by_conversation_and_sequence", m => m.ConversationId, m => m.Sequence);
        opts.Schema.For<RequestAuditEntry>().GinIndexJsonDataMember(e => e.VisibleTo).Duplicate(e => e.Sequence).Duplicate(e => e.At);
        opts.Schema.For<QuestionView>().Duplicate(q => q.RoomId);
        opts.Schema.For<EventView>().GinIndexJsonData().Duplicate(e => e.StartsAt);
        opts.Schema.For<RoomAuditEntry>().Duplicate(e => e.Sequence).Duplicate(e => e.RoomId).Duplicate(e => e.At);
        // An item is stored once for all it tells. The node's reader asks for its listeners' items after a position, a
        // catching-up reader for one user's: positions in order (the ids sort the same way) and the recipients, which a
        // GIN index over the array finds. Positions are also looked up alone (erasure, removal by moderation), and
        // retention prunes by time. Its own table name: the earlier feed (an item per recipient, keyed by text) is
        // another table, which the push rebuild retires.
        opts.Schema.For<FeedItem>().DocumentAlias(FeedItem.Alias).Duplicate(f => f.Position).Duplicate(f => f.At)
            .Duplicate(f => f.Recipients, pgType: "text[]", configure: index => index.Method = IndexMethod.gin);
        opts.Schema.For<FeedRetentionMark>().UseOptimisticConcurrency(true);
    }

    /// <summary>
    /// Routes the Wolverine handlers and HTTP endpoints of <paramref name="assembly"/> to Backchannel's store, with
    /// Backchannel's transactions and retries, as Backchannel's own handlers are. For an app that maps Backchannel's
    /// commands to its own endpoints in an assembly of its own (the Backchannel host does this for its endpoints).
    /// </summary>
    public static WolverineOptions UseBackchannelStoreFor(this WolverineOptions options, Assembly assembly)
    {
        // Shared: Backchannel's documents are in the app's own store, which Wolverine gives every chain already.
        var shared = options.Services.Any(d => d.ImplementationInstance is BackchannelStoreSettings { ShareAppStore: true });
        if (!shared) options.Policies.UseAncillaryStorageFromAssembly(typeof(IBackchannelStore), assembly);
        options.Policies.Add(new BackchannelChainPolicy(assembly));
        return options;
    }
}

/// <summary>Backchannel's part of the app's Wolverine set-up: its handlers, their store, transactions and retries.</summary>
internal sealed class BackchannelWolverineExtension : IWolverineExtension
{
    public void Configure(WolverineOptions options)
    {
        options.Discovery.IncludeAssembly(typeof(BackchannelSettings).Assembly);
        options.Discovery.IncludeType(typeof(Privacy.EraseUserHandler));
        options.Policies.Add<CommandValidationPolicy>();
        options.Policies.Add<CommandTelemetryPolicy>();
        // After validation: a suspended user's malformed command is still a 400 naming the field.
        options.Policies.Add<Backchannel.Domain.Safety.SuspensionPolicy>();
        options.UseBackchannelStoreFor(typeof(BackchannelSettings).Assembly);
        options.UseBackchannelStoreFor(typeof(BackchannelRegistration).Assembly);
    }
}

/// <summary>
/// Transactions and retries for the chains of one Backchannel assembly, and only those: the app's own handlers keep
/// whatever policies the app gives them.
/// </summary>
internal sealed class BackchannelChainPolicy(Assembly assembly) : IChainPolicy
{
    public void Apply(IReadOnlyList<IChain> chains, GenerationRules rules, JasperFx.IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HandlerCalls().Any(call => call.HandlerType.Assembly == assembly)))
        {
            if (!chain.IsTransactional && !chain.HasAttribute<NonTransactionalAttribute>())
                new TransactionalAttribute().Modify(chain, rules, container);
            if (chain is not HandlerChain handler) continue;
            // Two people acting on one conversation at once: the loser of the optimistic check runs again on fresh
            // state, so a real race costs a retry, never an event; only a persistent conflict reaches the caller.
            handler.OnException<ConcurrencyException>().RetryTimes(5);
            // Two commands creating the same stream at once (a double-tapped upvote): the loser reruns and finds it there.
            handler.OnException(StreamCollisions.IsStreamCreatedConcurrently).RetryTimes(3);
        }
    }
}

/// <summary>
/// Backchannel's store when the app chose to share its own (<see cref="BackchannelStoreSettings.ShareAppStore"/>): every
/// call goes to the app's store, so Backchannel's code reads one interface whichever way the app chose.
/// </summary>
internal class AppStoreShare : System.Reflection.DispatchProxy
{
    private IDocumentStore _appStore = null!;

    public static IBackchannelStore Of(IDocumentStore appStore)
    {
        var share = Create<IBackchannelStore, AppStoreShare>();
        ((AppStoreShare)(object)share)._appStore = appStore;
        return share;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        try
        {
            return targetMethod!.Invoke(_appStore, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }
}
