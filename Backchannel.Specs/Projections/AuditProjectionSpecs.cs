using Backchannel.Domain.Requests;
using Backchannel.Projections.Audit;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;
using static Backchannel.Specs.Support.History;

namespace Backchannel.Specs.Projections;

/// <summary>The async audit projection: one entry per request decision, with actor, rule, reason and correlation.</summary>
public sealed class AuditProjectionSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task every_request_decision_becomes_one_entry_with_its_actor_rule_and_correlation()
    {
        await using (var session = Store.LightweightSession())
        {
            session.CorrelationId = "corr-42";
            session.CausationId = "cause-7";
            session.Events.Append(ConversationId, [
                .. GroupRequest(),
                new RequestSuppressed(ConversationId, "ayu", "dodi", AdmissionRules.Blocked, At(0)),
                new RequestReported(ConversationId, "ayu", "budi", "spam", At(1)),
            ]);
            session.Events.Append("ayu", new RequestSuppressedByPolicy("c-0002", "ayu", "eka", AdmissionRules.PolicyFollowingOnly, At(2)));
            await session.SaveChangesAsync();
        }

        await AsyncViewsCaughtUp();
        await using var query = Store.QuerySession();
        var entries = (await query.Query<RequestAuditEntry>().ToListAsync()).OrderBy(e => e.Sequence)
            .Select(e => (e.Decision, e.Actor, e.Rule, e.Reason, e.Recipient, e.CorrelationId, e.CausationId, string.Join(",", e.VisibleTo)))
            .ToList();
        entries.ShouldBe([
            ("sent", "ayu", null, null, "budi", "corr-42", "cause-7", "budi,ayu"),
            ("admitted_automatically", "system", "recipient_follows_sender", null, "cici", "corr-42", "cause-7", "cici,ayu"),
            ("suppressed", "system", "blocked", null, "dodi", "corr-42", "cause-7", "dodi"),
            ("reported", "budi", null, "spam", "budi", "corr-42", "cause-7", "budi"),
            ("suppressed", "system", "policy_following_only", null, "eka", "corr-42", "cause-7", "eka,ayu"),
        ]);
    }

    [Fact]
    public async Task the_audit_is_filtered_by_viewer_user_and_time()
    {
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(ConversationId, [.. GroupRequest(), new RequestDeclined(ConversationId, "ayu", "budi", At(30))]);
            await session.SaveChangesAsync();
        }

        await AsyncViewsCaughtUp();
        await using var query = Store.QuerySession();
        (await query.RequestAuditAsync("ayu", false, null, null, null)).Select(e => e.Decision)
            .ShouldBe(["sent", "admitted_automatically"], "the requester never sees the decline");
        (await query.RequestAuditAsync("budi", false, null, null, null)).Select(e => e.Decision).ShouldBe(["sent", "declined"]);
        (await query.RequestAuditAsync("ops", true, "cici", null, null)).Select(e => e.Decision).ShouldBe(["admitted_automatically"]);
        (await query.RequestAuditAsync("ops", true, null, At(10), At(40))).Select(e => e.Decision).ShouldBe(["declined"]);
    }

    [Fact]
    public async Task the_export_writes_every_entry_as_one_json_line_oldest_first()
    {
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(ConversationId, [.. GroupRequest(), new RequestDeclined(ConversationId, "ayu", "budi", At(30))]);
            await session.SaveChangesAsync();
        }

        await AsyncViewsCaughtUp();
        await using var query = Store.QuerySession();
        using var output = new MemoryStream();
        (await query.WriteJsonLinesAsync(output)).ShouldBe(3);

        var lines = System.Text.Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("decision").GetString())
            .ShouldBe(["sent", "admitted_automatically", "declined"]);
    }
}
