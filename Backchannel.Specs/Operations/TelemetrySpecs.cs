using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Alba;
using Backchannel.Domain.Common;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Operations;

/// <summary>
/// What an operator's collector receives: a command over HTTP is one trace from the HTTP server span through
/// Wolverine's handling down to every PostgreSQL statement Marten sent for it, each span the child of the one above; and
/// Backchannel's own counters count what the frameworks cannot tell apart (a decided command, a refusal by its code).
/// </summary>
public sealed class TelemetrySpecs(AppFixture app) : AppSpec(app)
{
    private Task<IScenarioResult> Traced(System.Diagnostics.ActivityTraceId trace, string user, string url, object? body, int status) =>
        Host.Scenario(s =>
        {
            if (body is null) s.Post.Url(url);
            else s.Post.Json(body).ToUrl(url);
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(user)}");
            s.WithRequestHeader("traceparent", SpanRecorder.TraceParent(trace));
            s.StatusCodeShouldBe(status);
        });

    private static string QueryText(Activity span) =>
        (string?)span.GetTagItem("db.query.text") ?? (string?)span.GetTagItem("db.statement") ?? "";

    private static bool DescendsFrom(Activity span, Activity ancestor, IReadOnlyDictionary<ActivitySpanId, Activity> byId)
    {
        for (var parent = span.ParentSpanId; byId.TryGetValue(parent, out var up); parent = up.ParentSpanId)
            if (up.SpanId == ancestor.SpanId) return true;
        return false;
    }

    [Fact]
    public async Task a_command_over_http_is_one_trace_from_the_server_span_through_wolverine_to_every_postgresql_statement()
    {
        var trace = App.Spans.Watch();

        await Traced(trace, "ayu", "/conversations", new { to = new[] { "budi" }, text = "hello" }, 201);

        var spans = await App.Spans.SpansOf(trace);
        var byId = spans.ToDictionary(s => s.SpanId);
        var server = spans.Single(s => s.Kind == ActivityKind.Server);
        server.Source.Name.ShouldBe("Microsoft.AspNetCore");
        server.GetTagItem("http.route").ShouldBe("/conversations");
        var handling = spans.Where(s => s.Source.Name == "Wolverine" && DescendsFrom(s, server, byId)).ToList();
        handling.ShouldNotBeEmpty(string.Join(", ", spans.Select(s => $"{s.Source.Name}:{s.DisplayName}")));
        var statements = spans.Where(s => s.Source.Name == "Npgsql").ToList();
        statements.ShouldNotBeEmpty();
        // Every statement hangs under the request, and every statement of the command under its handling: none reaches
        // the collector without its parent. Only authentication's check that the handle was not erased runs before.
        statements.ShouldAllBe(s => DescendsFrom(s, server, byId));
        statements.Where(s => !handling.Any(h => DescendsFrom(s, h, byId)))
            .ShouldAllBe(s => QueryText(s).Contains("mt_doc_erasure"), "only the erased-handle check runs outside the command");
        statements.ShouldContain(s => QueryText(s).Contains("mt_streams"));
        statements.ShouldAllBe(s => s.Kind == ActivityKind.Client);
    }

    /// <summary>Records the measurements of one of Backchannel's instruments made inside <paramref name="trace"/>.</summary>
    private static MeterListener Listen(string instrument, System.Diagnostics.ActivityTraceId trace, ConcurrentQueue<Dictionary<string, object?>> into)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (i, l) =>
            {
                if (i.Meter.Name == BackchannelTelemetry.MeterName && i.Name == instrument) l.EnableMeasurementEvents(i);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            // Other specs may run commands at the same moment: only this trace's measurements count.
            if (Activity.Current?.TraceId != trace) return;
            for (var i = 0; i < value; i++) into.Enqueue(tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
        });
        listener.Start();
        return listener;
    }

    [Fact]
    public async Task a_refused_command_is_counted_once_under_its_command_and_code_and_marks_its_span()
    {
        var conversation = await As("ayu").StartConversation("budi");
        var trace = App.Spans.Watch();
        var refused = new ConcurrentQueue<Dictionary<string, object?>>();
        var decided = new ConcurrentQueue<Dictionary<string, object?>>();
        using var refusals = Listen(BackchannelTelemetry.CommandsRefused, trace, refused);
        using var decisions = Listen(BackchannelTelemetry.CommandsDecided, trace, decided);

        // An outsider may not even know the conversation exists: refused by a rule.
        var answer = await Traced(trace, "cato", $"/conversations/{conversation}/accept", null, 404);
        var code = (await answer.ReadAsJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!.Extensions["code"]!.ToString();

        code.ShouldBe("conversation_not_found");
        refused.Single().ShouldBe(new Dictionary<string, object?> { ["command"] = "AcceptRequest", ["code"] = code });
        decided.ShouldBeEmpty();
        var spans = await App.Spans.SpansOf(trace);
        spans.Where(s => s.GetTagItem(BackchannelTelemetry.RefusalAttribute) is not null)
            .ShouldHaveSingleItem().GetTagItem(BackchannelTelemetry.RefusalAttribute).ShouldBe(code);
    }

    [Fact]
    public async Task an_accepted_command_is_counted_decided_and_not_refused()
    {
        var conversation = await As("ayu").StartConversation("budi");
        var trace = App.Spans.Watch();
        var refused = new ConcurrentQueue<Dictionary<string, object?>>();
        var decided = new ConcurrentQueue<Dictionary<string, object?>>();
        using var refusals = Listen(BackchannelTelemetry.CommandsRefused, trace, refused);
        using var decisions = Listen(BackchannelTelemetry.CommandsDecided, trace, decided);

        await Traced(trace, "budi", $"/conversations/{conversation}/accept", null, 204);

        decided.Single().ShouldBe(new Dictionary<string, object?> { ["command"] = "AcceptRequest" });
        refused.ShouldBeEmpty();
    }

    [Fact]
    public async Task invalid_input_is_counted_as_a_refusal_with_code_invalid_input()
    {
        var trace = App.Spans.Watch();
        var refused = new ConcurrentQueue<Dictionary<string, object?>>();
        using var refusals = Listen(BackchannelTelemetry.CommandsRefused, trace, refused);

        await Traced(trace, "ayu", "/conversations", new { to = new[] { "budi" }, text = "" }, 400);

        refused.Single().ShouldBe(new Dictionary<string, object?> { ["command"] = "RequestConversation", ["code"] = "invalid_input" });
    }
}
