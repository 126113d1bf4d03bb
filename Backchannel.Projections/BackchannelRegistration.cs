using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Planning;
using Backchannel.Projections.Rooms;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Push;
using FluentValidation;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using Weasel.Core;
using JasperFx;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.ErrorHandling;

namespace Backchannel.Projections;

/// <summary>The one call that adds Backchannel to an app's own Marten and Wolverine set-up.</summary>
public static class BackchannelRegistration
{
    /// <summary>
    /// Adds Backchannel's events, state snapshots and views to the app's Marten store, its handlers and validation to
    /// the app's Wolverine, and its settings (section <c>Backchannel</c> of <paramref name="configuration"/>). The app
    /// still calls <c>AddMarten(...).IntegrateWithWolverine()</c> and <c>UseWolverine()</c> itself. Backchannel keys
    /// streams by string (user handles, conversation ids): the store must use <see cref="StreamIdentity.AsString"/>,
    /// which this sets.
    /// </summary>
    public static IServiceCollection AddBackchannel(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var settings = services.AddOptions<BackchannelSettings>();
        if (configuration is not null) settings.Bind(configuration.GetSection(BackchannelSettings.Section));
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<BackchannelSettings>>().Value);
        services.TryAddSingleton(TimeProvider.System);
        services.AddBackchannelSettingsValidation();
        services.AddValidatorsFromAssemblyContaining<BackchannelSettings>(ServiceLifetime.Singleton, includeInternalTypes: false);
        services.ConfigureMarten(ConfigureStore);
        services.AddWolverineExtension<BackchannelWolverineExtension>();
        services.TryAddSingleton<FeedWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedWatcher>());
        services.TryAddSingleton<PushFeed>();
        services.TryAddSingleton<PushStreamSlots>();
        services.AddHostedService<FeedPruner>();
        return services;
    }

    private static void ConfigureStore(StoreOptions opts)
    {
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        opts.Events.StreamIdentity = StreamIdentity.AsString;
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        foreach (var (type, name) in EventNames.All) opts.Events.MapEventType(type, name);

        // Decision state: one inline snapshot per stream, so a command reads one row instead of replaying its stream.
        opts.Projections.Snapshot<UserProfile>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Conversation>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Room>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Participant>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Question>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<Upvote>(SnapshotLifecycle.Inline);
        opts.Projections.Snapshot<PlannedEvent>(SnapshotLifecycle.Inline);
        opts.Projections.Add<MessageStateProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<Backchannel.Domain.Requests.RequestReachProjection>(ProjectionLifecycle.Inline);
        Safety.SafetyRegistration.AddSafety(opts);

        // Views: inline where the actor must read their own write, async where lag is acceptable (the audit).
        opts.Projections.Add<ConversationViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<ThreadMessageProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<RoomViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<QuestionViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<EventViewProjection>(ProjectionLifecycle.Inline);
        opts.Projections.Add<RequestAuditProjection>(ProjectionLifecycle.Async);
        opts.Projections.Add<RoomAuditProjection>(ProjectionLifecycle.Async);
        // The push feed: each capability whose events change someone's views adds its feed source here.
        opts.Projections.Add(new PushFeedProjection(new ConversationFeedSource(), new RoomFeedSource()), ProjectionLifecycle.Async);

        opts.Schema.For<ConversationView>().GinIndexJsonData();
        opts.Schema.For<ThreadMessage>().Duplicate(m => m.ConversationId).Duplicate(m => m.Sequence);
        opts.Schema.For<RequestAuditEntry>().GinIndexJsonData().Duplicate(e => e.Sequence).Duplicate(e => e.At);
        opts.Schema.For<Conversation>().Duplicate(c => c.CreatedBy);
        opts.Schema.For<Question>().Duplicate(q => q.RoomId);
        opts.Schema.For<Participant>().Duplicate(p => p.RoomId);
        opts.Schema.For<Upvote>().Duplicate(u => u.RoomId);
        opts.Schema.For<QuestionView>().Duplicate(q => q.RoomId);
        opts.Schema.For<EventView>().GinIndexJsonData().Duplicate(e => e.StartsAt);
        opts.Schema.For<RoomAuditEntry>().Duplicate(e => e.Sequence).Duplicate(e => e.RoomId).Duplicate(e => e.At);
        // A reader asks for one user's items after a position, in order: one index answers it, and says that an
        // event gives each user at most one item.
        opts.Schema.For<FeedItem>().Duplicate(f => f.UserId).Duplicate(f => f.Position).Duplicate(f => f.At)
            .UniqueIndex(UniqueIndexType.DuplicatedField, "mt_doc_feeditem_by_user_and_position", f => f.UserId, f => f.Position);
        opts.Schema.For<FeedRetentionMark>().UseOptimisticConcurrency(true);
    }
}

/// <summary>Backchannel's part of the app's Wolverine set-up.</summary>
internal sealed class BackchannelWolverineExtension : IWolverineExtension
{
    public void Configure(WolverineOptions options)
    {
        options.Discovery.IncludeAssembly(typeof(BackchannelSettings).Assembly);
        options.Policies.Add<CommandValidationPolicy>();
        // After validation: a suspended user's malformed command is still a 400 naming the field.
        options.Policies.Add<Backchannel.Domain.Safety.SuspensionPolicy>();
        options.Policies.AutoApplyTransactions();
        // Two people acting on one conversation at once: the loser of the optimistic check runs again on fresh
        // state, so a real race costs a retry, never an event; only a persistent conflict reaches the caller.
        options.Policies.OnException<ConcurrencyException>().RetryTimes(5);
        // Two commands creating the same stream at once (a double-tapped upvote): the loser reruns and finds it there.
        options.Policies.OnException(StreamCollisions.IsStreamCreatedConcurrently).RetryTimes(3);
    }
}

/// <summary>Recognises the race of two transactions starting the same stream: a conflict to retry, never a fault.</summary>
public static class StreamCollisions
{
    public static bool IsStreamCreatedConcurrently(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is Marten.Exceptions.ExistingStreamIdCollisionException) return true;
            if (e is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation, ConstraintName: "pkey_mt_streams_id" }) return true;
        }
        return false;
    }
}
