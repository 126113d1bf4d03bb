using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Backchannel.Host.Http;

/// <summary>
/// Makes the OpenAPI document say what endpoints really answer: drops the placeholder "200 IResult" that an
/// <see cref="IResult"/> return type produces (each endpoint declares its success status), and documents the
/// ProblemDetails every authenticated endpoint may return (400 invalid input, 401, 403, 404, 409).
/// </summary>
public sealed class OpenApiConventions : IOpenApiOperationTransformer
{
    private static readonly Dictionary<string, string> Problems = new()
    {
        ["400"] = "Invalid input: the errors name the failing fields",
        ["401"] = "No valid bearer token",
        ["403"] = "The caller may not do this",
        ["404"] = "Not found, or not visible to the caller",
        ["409"] = "The current state does not allow this, or a concurrent change won",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= new OpenApiResponses();
        if (operation.Responses.TryGetValue("200", out var ok) && ok.Content?.Values.Any(IsIResult) == true)
            operation.Responses.Remove("200");

        var anonymous = context.Description.ActionDescriptor.EndpointMetadata
            .OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any();
        foreach (var (status, description) in Problems.Where(p => !anonymous || p.Key == "400"))
        {
            if (operation.Responses.TryGetValue(status, out var existing) && existing.Content?.Count > 0) continue;
            operation.Responses[status] = new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", context.Document) },
                },
            };
        }
        return Task.CompletedTask;
    }

    private static bool IsIResult(OpenApiMediaType media) => media.Schema is OpenApiSchemaReference { Reference.Id: "IResult" };
}
