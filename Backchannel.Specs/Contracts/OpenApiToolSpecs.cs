using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Backchannel.Domain.Common;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Contracts;

/// <summary>
/// The served OpenAPI document, tried as a client team would: a third-party linter (Redocly) finds no error and only
/// the warnings docs/api.md justifies; the facts it must state are there; a client generated from it (openapi-typescript
/// and openapi-fetch, type-checked by tsc) drives a request, its acceptance and a message against the host.
/// </summary>
public sealed partial class OpenApiToolSpecs(AppFixture app) : AppSpec(app)
{
    private async Task<string> Document() => await (await new Caller(Host, token: null).Get("/openapi/v1.json")).ReadAsTextAsync();

    private async Task<string> WrittenDocument()
    {
        var path = Path.Combine(Path.GetTempPath(), $"backchannel-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, await Document());
        return path;
    }

    [Fact]
    public async Task the_document_lints_clean_under_redocly_and_each_warning_left_is_justified_in_the_api_docs()
    {
        var path = await WrittenDocument();
        var lint = await OpenApiTools.NodeAsync("node_modules/@redocly/cli/bin/cli.js", ["lint", path, "--format=json"]);

        var report = JsonNode.Parse(lint.Output[lint.Output.IndexOf('{')..])!;
        var problems = report["problems"]!.AsArray();
        var errors = problems.Where(p => (string?)p!["severity"] == "error").Select(p => $"{p!["ruleId"]}: {p["message"]}").ToList();
        errors.ShouldBeEmpty();
        lint.ExitCode.ShouldBe(0, lint.Error);

        // A warning is justified when the linter section of docs/api.md names its rule and the operation it is about.
        var justified = LinterSection(await File.ReadAllTextAsync(Path.Combine(OpenApiTools.RepositoryRoot, "docs", "api.md")));
        foreach (var warning in problems.Where(p => (string?)p!["severity"] == "warn"))
        {
            var rule = (string)warning!["ruleId"]!;
            var pointer = (string)warning["location"]![0]!["pointer"]!;
            var route = Regex.Match(pointer, "^#/paths/(?<route>[^/]+)").Groups["route"].Value.Replace("~1", "/");
            justified.ShouldContain(line => line.Contains($"`{rule}`") && (route.Length == 0 || line.Contains($"`{route}`")),
                $"docs/api.md#openapi does not justify {rule} at {pointer}");
        }
        File.Delete(path);
    }

    private static List<string> LinterSection(string apiDocs)
    {
        var start = apiDocs.IndexOf("### Linter", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0, "docs/api.md has a Linter section");
        var end = apiDocs.IndexOf("\n#", start + 1, StringComparison.Ordinal);
        return [.. apiDocs[start..(end < 0 ? apiDocs.Length : end)].Split('\n')];
    }

    [GeneratedRegex(@"^[A-Z]+_")]
    private static partial Regex WolverinePlaceholder();

    [Fact]
    public async Task every_operation_says_what_it_is_who_may_call_it_and_everything_it_answers()
    {
        var document = JsonNode.Parse(await Document())!;
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        schemes["bearer"]!["scheme"]!.GetValue<string>().ShouldBe("bearer");

        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => (Route: p.Key, Method: o.Key, Operation: o.Value!))).ToList();
        operations.Count.ShouldBeGreaterThan(60);
        foreach (var (route, method, operation) in operations)
        {
            var name = $"{method.ToUpperInvariant()} {route}";
            var summary = (string?)operation["summary"];
            summary.ShouldNotBeNullOrWhiteSpace(name);
            WolverinePlaceholder().IsMatch(summary!).ShouldBeFalse($"{name} has the placeholder summary {summary}");
            WolverinePlaceholder().IsMatch((string?)operation["description"] ?? "").ShouldBeFalse($"{name} has a placeholder description");
            var tag = operation["tags"]!.AsArray().ShouldHaveSingleItem()!.GetValue<string>();
            tag.ShouldNotContain(".", customMessage: $"{name} is tagged by a CLR type");

            var anonymous = route.StartsWith("/health", StringComparison.Ordinal) || route.StartsWith("/dev/", StringComparison.Ordinal);
            var security = operation["security"]!.AsArray();
            if (anonymous) security.ShouldBeEmpty(name);
            else security.ShouldHaveSingleItem()!.AsObject().ContainsKey("bearer").ShouldBeTrue(name);

            var responses = operation["responses"]!.AsObject();
            if (!route.StartsWith("/dev/", StringComparison.Ordinal))
            {
                responses.ContainsKey("503").ShouldBeTrue($"{name} documents 503");
                responses["503"]!["headers"]!["Retry-After"].ShouldNotBeNull(name);
            }
            if (!anonymous) responses.ContainsKey("401").ShouldBeTrue(name);
            if (method != "get") responses.ContainsKey("413").ShouldBeTrue($"{name} documents 413");
            if (responses["429"] is { } tooMany) tooMany["headers"]!["Retry-After"].ShouldNotBeNull(name);
            if (responses["201"] is { } created) created["headers"]!["Location"].ShouldNotBeNull(name);
            // The health report answers its 503 with the report itself.
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5' && !(route.StartsWith("/health", StringComparison.Ordinal) && r.Key == "503")))
                response!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>()
                    .ShouldBe("#/components/schemas/ProblemDetails", $"{name} {status}");
        }

        var text = document.ToJsonString();
        text.ShouldNotContain("\"integer\",\"string\"");
        text.ShouldNotContain("\"string\",\"integer\"");
    }

    [Fact]
    public async Task the_schemas_carry_the_validators_limits_one_error_shape_and_the_push_stream()
    {
        var document = JsonNode.Parse(await Document())!;
        var schemas = document["components"]!["schemas"]!;

        var request = schemas["RequestConversationBody"]!;
        request["required"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldBe(["to", "text"], ignoreOrder: true);
        request["properties"]!["text"]!["maxLength"]!.GetValue<int>().ShouldBe(Rules.MaxMessageLength);
        request["properties"]!["to"]!["minItems"]!.GetValue<int>().ShouldBe(1);
        schemas["StartRoomBody"]!["properties"]!["title"]!["maxLength"]!.GetValue<int>().ShouldBe(Rules.MaxTitleLength);
        schemas["ReasonBody"]!["properties"]!["reason"]!["maxLength"]!.GetValue<int>().ShouldBe(Rules.MaxReasonLength);
        schemas["SendMessageBody"]!["properties"]!["messageId"]!["maxLength"]!.GetValue<int>().ShouldBe(Rules.MaxIdLength);

        var problem = schemas["ProblemDetails"]!["properties"]!.AsObject();
        problem.Select(p => p.Key).ShouldBeSubsetOf(["type", "title", "status", "detail", "instance", "code", "errors", "field", "refusedBy", "retryAfterSeconds"]);
        problem.Select(p => p.Key).ShouldContain("code");
        problem.Select(p => p.Key).ShouldContain("errors");
        problem["retryAfterSeconds"]!["type"]!.GetValue<string>().ShouldBe("integer");

        var inbox = document["paths"]!["/inbox"]!["get"]!;
        var limit = inbox["parameters"]!.AsArray().Single(p => (string?)p!["name"] == "limit")!["schema"]!;
        limit["maximum"]!.GetValue<int>().ShouldBe(Paging.MaxLimit);
        ((string?)inbox["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]).ShouldBe("#/components/schemas/PageOfInboxItem");

        var push = document["paths"]!["/me/events"]!["get"]!;
        push["parameters"]!.AsArray().ShouldContain(p => (string?)p!["name"] == "Last-Event-ID" && (string?)p["in"] == "header");
        var stream = push["responses"]!["200"]!;
        stream["content"]!["text/event-stream"].ShouldNotBeNull();
        foreach (var kind in (string[])["ready", "reload", "conversation", "message_sent", "message_edited", "message_deleted", "reaction_added", "messages_read", "moderation"])
            ((string)stream["description"]!).ShouldContain($"`{kind}`");
    }

    [Fact]
    public async Task the_api_reference_is_served_at_its_documented_path()
    {
        var page = await Host.Scenario(s =>
        {
            s.Get.Url(Backchannel.Host.Http.ApiReference.Path + "/");
            s.StatusCodeShouldBe(200);
        });
        page.Context.Response.ContentType!.ShouldStartWith("text/html");
        var html = await page.ReadAsTextAsync();
        html.ShouldContain("openapi/v1.json");
        html.ShouldContain("scalar.js");
        await Host.Scenario(s =>
        {
            s.Get.Url(Backchannel.Host.Http.ApiReference.Path + "/scalar.js");
            s.StatusCodeShouldBe(200);
        });
        (await File.ReadAllTextAsync(Path.Combine(OpenApiTools.RepositoryRoot, "docs", "api.md"))).ShouldContain($"`{Backchannel.Host.Http.ApiReference.Path}`");
    }

    [Fact]
    public async Task a_client_generated_from_the_document_drives_a_request_its_acceptance_and_a_message()
    {
        var path = await WrittenDocument();
        var generated = Path.Combine(OpenApiTools.ToolsDirectory, "generated");
        Directory.CreateDirectory(generated);
        var types = Path.Combine(generated, "backchannel.d.ts");
        var generate = await OpenApiTools.NodeAsync("node_modules/openapi-typescript/bin/cli.js", [path, "-o", types]);
        generate.ExitCode.ShouldBe(0, generate.Error);
        var declarations = await File.ReadAllTextAsync(types);
        declarations.ShouldNotContain("number | string", customMessage: "a number typed as number or string");

        var check = await OpenApiTools.NodeAsync("node_modules/typescript/bin/tsc", ["-p", "tsconfig.json"]);
        check.ExitCode.ShouldBe(0, check.Output + check.Error);

        await using var proxy = await LoopbackProxy.StartAsync(Host);
        var run = await OpenApiTools.NodeAsync("client-flow.mjs", [], new Dictionary<string, string>
        {
            ["BASE_URL"] = proxy.BaseUrl,
            ["REQUESTER_TOKEN"] = App.TokenFor("ayu"),
            ["RECIPIENT_TOKEN"] = App.TokenFor("budi"),
            ["RECIPIENT"] = "budi",
        });
        run.ExitCode.ShouldBe(0, run.Output + run.Error);
        var result = JsonNode.Parse(run.Output.Trim().Split('\n')[^1])!;
        result["messages"]!.GetValue<int>().ShouldBe(2);

        // What the client did happened: the recipient's thread, read here, holds both messages.
        var thread = await As("budi").Thread((string)result["conversationId"]!);
        thread.Messages.Select(m => m.Text).ShouldBe(["hello from a generated client", "glad you accepted"]);
        File.Delete(path);
    }
}
