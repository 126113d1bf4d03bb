using Scalar.AspNetCore;

namespace Backchannel.Host.Http;

/// <summary>The browsable API reference (Scalar) at <see cref="Path"/>, reading the served OpenAPI document; anonymous, like the document.</summary>
public static class ApiReference
{
    public const string Path = "/api-reference";

    public static void Map(WebApplication app) =>
        app.MapScalarApiReference(Path, options => options
                .WithTitle("Backchannel API")
                .WithOpenApiRoutePattern("/openapi/{documentName}.json")
                .AddPreferredSecuritySchemes([ApiDocument.BearerScheme]))
            .AllowAnonymous();
}
