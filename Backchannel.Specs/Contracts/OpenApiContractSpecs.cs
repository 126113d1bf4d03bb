using System.Text.Json.Nodes;
using Backchannel.Specs.Support;
using Shouldly;
using Snapshooter.Xunit;

namespace Backchannel.Specs.Contracts;

/// <summary>The HTTP contract: the served OpenAPI document is pinned, so a change to the API is a visible diff.</summary>
public sealed class OpenApiContractSpecs(AppFixture app) : AppSpec(app)
{
    [Fact]
    public async Task the_openapi_document_is_served_and_pinned()
    {
        var result = await new Caller(Host, token: null).Get("/openapi/v1.json");
        var document = await result.ReadAsTextAsync();

        var paths = JsonNode.Parse(document)!["paths"]!.AsObject().Select(p => p.Key).ToList();
        paths.ShouldContain("/conversations/{id}/accept");
        Snapshot.Match(document);
    }
}
