using System.Text.Json;
using Backchannel.Projections.Conversations;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Invariants;

/// <summary>
/// The class behind the thread's version: over random histories, for every conversation, every member who may read
/// it and every version of its stream, the thread as of that version reads exactly like the thread as of the version
/// it shows. So an event that does not move a viewer's version changed nothing they can see, whatever it was.
/// </summary>
public sealed class HiddenEventSpecs(AppFixture app) : AppSpec(app)
{
    [Theory]
    [InlineData(3)]
    [InlineData(19)]
    public async Task a_version_a_viewer_never_sees_changes_nothing_they_can_see(int seed)
    {
        await using (var scope = Host.Services.CreateAsyncScope())
            await new RandomHistory(scope.ServiceProvider.GetRequiredService<IMessageBus>(), seed).RunAsync(160);

        await using var session = Store.QuerySession();
        var conversations = await session.Query<ConversationView>().ToListAsync();
        var checkedVersions = 0;
        foreach (var conversation in conversations)
        {
            foreach (var viewer in conversation.Members.Where(m => m.CanSeeConversation()).Select(m => m.UserId))
            {
                for (var version = 1; version <= conversation.Version; version++)
                {
                    var then = await session.ThreadAsOfAsync(viewer, conversation.Id, version);
                    if (then is null) continue;
                    then.Version.ShouldBeLessThanOrEqualTo(version);
                    var shown = await session.ThreadAsOfAsync(viewer, conversation.Id, then.Version);
                    JsonSerializer.Serialize(then).ShouldBe(JsonSerializer.Serialize(shown),
                        $"{viewer} in {conversation.Id} at version {version} (shown {then.Version})");
                    checkedVersions++;
                }
            }
        }
        checkedVersions.ShouldBeGreaterThan(30, "a history with few conversations proves little");
    }
}
