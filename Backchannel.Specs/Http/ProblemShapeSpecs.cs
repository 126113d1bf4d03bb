using System.Text;
using System.Text.Json.Nodes;
using Backchannel.Host.Http;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>
/// Every error is one ProblemDetails shape, whoever wrote it (a validator, the JSON reader, the query binder, routing,
/// authentication): <c>application/problem+json</c>, a <c>code</c>, and a <c>type</c> under the one base
/// <see cref="ProblemMapping.ProblemTypes"/> ending in that code; a 400 also has <c>errors</c> naming the fields.
/// </summary>
public sealed class ProblemShapeSpecs(AppFixture app) : AppSpec(app)
{
    private async Task<JsonObject> Problem(string method, string url, string? json, int status, bool authenticated = true)
    {
        var result = await Host.Scenario(s =>
        {
            s.ConfigureHttpContext(http =>
            {
                var query = url.IndexOf('?');
                http.Request.Method = method;
                http.Request.Path = query < 0 ? url : url[..query];
                http.Request.QueryString = new(query < 0 ? "" : url[query..]);
                if (json is null) return;
                http.Request.ContentType = "application/json";
                http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(json));
                http.Request.ContentLength = http.Request.Body.Length;
            });
            if (authenticated) s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor("ayu")}");
            s.StatusCodeShouldBe(status);
        });
        result.Context.Response.ContentType!.ShouldStartWith("application/problem+json");
        var problem = JsonNode.Parse(await result.ReadAsTextAsync())!.AsObject();
        var code = (string)problem["code"]!;
        ((string)problem["type"]!).ShouldBe(ProblemMapping.ProblemTypes + code);
        ((int)problem["status"]!).ShouldBe(status);
        problem.ContainsKey("parameter").ShouldBeFalse();
        return problem;
    }

    private static IEnumerable<string> Fields(JsonObject problem) => problem["errors"]!.AsObject().Select(e => e.Key);

    [Fact]
    public async Task malformed_json_is_invalid_input_naming_the_body()
    {
        var problem = await Problem("POST", "/conversations", """{"to":["budi"],"text":""", 400);
        ((string)problem["code"]!).ShouldBe("invalid_input");
        Fields(problem).ShouldNotBeEmpty();

        var notAnObject = await Problem("POST", "/conversations", "[1,2", 400);
        ((string)notAnObject["code"]!).ShouldBe("invalid_input");
        Fields(notAnObject).ShouldHaveSingleItem().ShouldBe("body");
    }

    [Fact]
    public async Task a_number_written_as_a_string_is_invalid_input_naming_its_field()
    {
        var ids = await Problem("POST", "/conversations", """{"to":["budi"],"text":"hi","roomId":5}""", 400);
        Fields(ids).ShouldBe(["roomId"]);
        var flag = await Problem("POST", "/rooms/r-1/questions", """{"text":"why?","anonymous":"true"}""", 400);
        Fields(flag).ShouldBe(["anonymous"]);
    }

    [Fact]
    public async Task a_query_value_that_does_not_parse_is_invalid_input_naming_the_parameter_in_errors()
    {
        var problem = await Problem("GET", "/inbox?limit=abc", null, 400);
        ((string)problem["code"]!).ShouldBe("invalid_input");
        Fields(problem).ShouldBe(["limit"]);

        var before = await Problem("GET", "/conversations/c-1?before=soon", null, 400);
        Fields(before).ShouldBe(["before"]);
    }

    [Fact]
    public async Task an_unknown_route_a_wrong_method_and_a_missing_token_are_problems_of_the_same_shape()
    {
        ((string)(await Problem("GET", "/no-such-route", null, 404))["code"]!).ShouldBe("not_found");
        ((string)(await Problem("PATCH", "/inbox", null, 405))["code"]!).ShouldBe("method_not_allowed");
        ((string)(await Problem("GET", "/inbox", null, 401, authenticated: false))["code"]!).ShouldBe("unauthorized");
        ((string)(await Problem("POST", "/conversations/c-1/accept", null, 404))["code"]!).ShouldBe("conversation_not_found");
    }
}
