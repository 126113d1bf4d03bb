using System.Text.Json;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Invariants;

/// <summary>
/// The class behind the thread's version: over random histories, folding every conversation's stream event by event,
/// whatever changes what a member may see of it counts as a change they saw, and nothing else does; so the version a
/// thread shows, and the threads <c>?asOfVersion=</c> answers, are the same whatever happened out of the viewer's sight.
/// </summary>
public sealed class HiddenEventSpecs(AppFixture app) : AppSpec(app)
{
    /// <summary>Everything of the conversation's header a member may see, as the thread shows it.</summary>
    private static string SeenBy(ConversationView view, string viewer)
    {
        var me = view.MemberOf(viewer)!;
        return JsonSerializer.Serialize(new
        {
            view.Kind, view.Title, view.LastSequence, Status = me.StatusSeenBy(viewer), me.Muted, me.ReadUpToSequence,
            History = me.History.Select(h => (h.From, h.To)).ToList(),
            Members = view.Members.Select(m => (m.UserId, m.StatusSeenBy(viewer), m.ReadMarkerSeenBy(viewer))).ToList(),
        });
    }

    [Theory]
    [InlineData(3)]
    [InlineData(19)]
    public async Task a_change_a_member_may_see_always_counts_and_what_they_may_not_see_never_moves_their_version(int seed)
    {
        await using (var scope = Host.Services.CreateAsyncScope())
            await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed).RunAsync(160);

        await using var session = Store.QuerySession();
        var hidden = 0;
        foreach (var id in await session.Query<ConversationView>().Select(c => c.Id).ToListAsync())
        {
            ConversationView? view = null;
            foreach (var e in await session.Events.FetchStreamAsync(id))
            {
                var before = view?.Members.Where(m => m.CanSeeConversation())
                    .ToDictionary(m => m.UserId, m => (Seen: SeenBy(view, m.UserId), m.SeenVersion)) ?? [];
                view = ConversationViewProjection.Fold(view, e)!;
                foreach (var (member, (seen, version)) in before)
                {
                    var now = view.MemberOf(member)!;
                    if (now.SeenVersion != version) continue;
                    hidden++;
                    if (now.CanSeeConversation())
                        SeenBy(view, member).ShouldBe(seen, $"{e.EventTypeName} changed what {member} sees of {id} without counting");
                }
            }
        }
        hidden.ShouldBeGreaterThan(3, "the histories hold events hidden from some members");
    }

    [Theory]
    [InlineData(5)]
    public async Task a_thread_as_of_each_of_its_viewers_versions_shows_that_version(int seed)
    {
        await using (var scope = Host.Services.CreateAsyncScope())
            await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed).RunAsync(120);

        await using var session = Store.QuerySession();
        var checkedVersions = 0;
        foreach (var conversation in await session.Query<ConversationView>().ToListAsync())
        {
            foreach (var viewer in conversation.Members.Where(m => m.CanSeeConversation()).Select(m => m.UserId))
            {
                var now = (await session.ThreadAsync(viewer, conversation.Id))!;
                (await session.ThreadAsOfAsync(viewer, conversation.Id, now.Version + 5))!.Version.ShouldBe(now.Version);
                for (var version = 1; version <= now.Version; version++)
                {
                    var then = await session.ThreadAsOfAsync(viewer, conversation.Id, version);
                    if (then is null) continue;
                    then.Version.ShouldBe(version, $"{viewer} in {conversation.Id}");
                    checkedVersions++;
                }
            }
        }
        checkedVersions.ShouldBeGreaterThan(30);
    }
}
