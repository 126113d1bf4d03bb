using Backchannel.Projections.Audit;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

public sealed class AuditAndConcurrencySpecs(AppFixture app) : AppSpec(app)
{
    private Task<IReadOnlyList<RequestAuditEntry>> Audit(Caller caller, string query = "") =>
        caller.Items<RequestAuditEntry>($"/audit/requests{query}");

    [Fact]
    public async Task each_side_sees_the_decisions_it_may_know_and_an_operator_sees_all()
    {
        await As("cici").Follow("ayu");
        var declined = await As("ayu").StartConversation("budi");
        await As("budi").Post($"/conversations/{declined}/decline");
        await As("ayu").StartConversation("cici");
        await AsyncViewsCaughtUp();

        (await Audit(As("ayu"))).Select(e => (e.Decision, e.Recipient)).ShouldBe([("sent", "budi"), ("admitted_automatically", "cici")]);
        (await Audit(As("budi"))).Select(e => e.Decision).ShouldBe(["sent", "declined"]);
        var all = await Audit(As("ops", isOperator: true));
        all.Select(e => e.Decision).ShouldBe(["sent", "declined", "admitted_automatically"]);
        all.ShouldAllBe(e => e.CorrelationId != null);
        all[2].Actor.ShouldBe("system");
        all[2].Rule.ShouldBe("recipient_follows_sender");
        (await Audit(As("ops", isOperator: true), "?userId=cici")).ShouldHaveSingleItem().Recipient.ShouldBe("cici");
    }

    [Fact]
    public async Task the_audit_is_filtered_by_time()
    {
        await As("ayu").StartConversation("budi");
        await AsyncViewsCaughtUp();
        var at = (await Audit(As("ayu"))).Single().At;

        (await Audit(As("ayu"), $"?from={Uri.EscapeDataString(at.AddSeconds(1).ToString("O"))}")).ShouldBeEmpty();
        (await Audit(As("ayu"), $"?from={Uri.EscapeDataString(at.AddSeconds(-1).ToString("O"))}&to={Uri.EscapeDataString(at.AddSeconds(1).ToString("O"))}"))
            .ShouldHaveSingleItem();
    }

    [Fact]
    public async Task only_an_operator_reads_someone_elses_audit()
    {
        var problem = await As("ayu").Refused(c => c.Get("/audit/requests?userId=budi", 403));
        problem.Extensions["code"]!.ToString().ShouldBe("operators_only");
        await As("ayu").Get("/audit/requests?userId=ayu");
    }

    [Fact]
    public async Task two_members_writing_at_once_lose_nothing_and_get_no_error()
    {
        await As("budi").Follow("ayu");
        var id = await As("ayu").StartConversation("budi");

        var writes = Enumerable.Range(0, 20).SelectMany(i => new[] { As("ayu").Say(id, $"a{i}"), As("budi").Say(id, $"b{i}") });
        var sent = await Task.WhenAll(writes);

        var thread = await As("ayu").Thread(id, "?limit=200");
        thread.Messages.Select(m => m.Sequence).ShouldBe(Enumerable.Range(1, 41).Select(i => (long)i));
        thread.Messages.Skip(1).Select(m => m.Id).ShouldBe(sent, ignoreOrder: true);
    }
}
