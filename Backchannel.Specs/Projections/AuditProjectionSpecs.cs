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
            ("suppressed", "system", "blocked", null, "dodi", "corr-42", "cause-7", "dodi,ayu"),
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

    /// <summary>An entry with what differs by construction between two entries (ids, order, whom it names) blanked.</summary>
    private static string Blanked(RequestAuditEntry entry, string recipient)
    {
        entry.Id = Guid.Empty;
        entry.Sequence = 0;
        entry.Recipient = "someone";
        entry.VisibleTo = entry.VisibleTo.Select(v => v == recipient ? "someone" : v).ToList();
        return System.Text.Json.JsonSerializer.Serialize(entry);
    }

    [Fact]
    public async Task a_request_suppressed_by_a_block_reads_to_the_requester_in_every_field_as_a_request_sent()
    {
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(ConversationId, [
                new Backchannel.Domain.Conversations.ConversationStarted(ConversationId, Backchannel.Domain.Conversations.ConversationKind.Group, "ayu", null, null, At(0)),
                new RequestSent(ConversationId, "ayu", "budi", At(0)),
                new RequestSuppressed(ConversationId, "ayu", "dodi", AdmissionRules.Blocked, At(0)),
                new Backchannel.Domain.Conversations.MessageSent(ConversationId, "m1", 1, "ayu", "hi", null, At(0)),
            ]);
            await session.SaveChangesAsync();
        }

        await AsyncViewsCaughtUp();
        await using var query = Store.QuerySession();
        var seenByRequester = await query.RequestAuditAsync("ayu", false, null, null, null);
        seenByRequester.Count.ShouldBe(2);
        Blanked(seenByRequester.Single(e => e.Recipient == "dodi"), "dodi").ShouldBe(Blanked(seenByRequester.Single(e => e.Recipient == "budi"), "budi"));

        (await query.RequestAuditAsync("dodi", false, null, null, null)).ShouldHaveSingleItem()
            .ShouldSatisfyAllConditions(e => e.Decision.ShouldBe("suppressed"), e => e.Rule.ShouldBe(AdmissionRules.Blocked), e => e.RequesterSees.ShouldBeNull());
        (await query.RequestAuditAsync("ops", true, "dodi", null, null)).ShouldHaveSingleItem()
            .ShouldSatisfyAllConditions(e => e.Decision.ShouldBe("suppressed"), e => e.RequesterSees.ShouldBe("sent"));
    }

    [Fact]
    public async Task a_refusal_by_the_rate_limit_is_in_the_requesters_audit_and_never_in_the_one_of_whom_it_named()
    {
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append("ayu", new RequestSuppressedByRateLimit("c-0009", "ayu", "budi", "rate_limit_requests_per_hour", At(60), At(0)));
            await session.SaveChangesAsync();
        }

        await AsyncViewsCaughtUp();
        await using var query = Store.QuerySession();
        (await query.RequestAuditAsync("ayu", false, null, null, null)).ShouldHaveSingleItem().Rule.ShouldBe("rate_limit_requests_per_hour");
        (await query.RequestAuditAsync("budi", false, null, null, null)).ShouldBeEmpty("budi was never contacted");
        (await query.RequestAuditAsync("ops", true, "budi", null, null)).ShouldHaveSingleItem("operators see every refusal");
    }
}
