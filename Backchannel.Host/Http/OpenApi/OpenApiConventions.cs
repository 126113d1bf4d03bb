using System.Text.RegularExpressions;
using Backchannel.Domain.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Backchannel.Host.Http;

/// <summary>
/// Makes each operation say what the endpoint really answers: its summary and description from the endpoint's XML
/// doc (Wolverine would name it <c>POST_conversations</c>), its capability as its tag, the bearer scheme unless it is
/// anonymous, and every status the host's middleware and the endpoint may answer, each refusal as ProblemDetails with
/// the headers it carries (<c>Retry-After</c> on 429 and 503, <c>Location</c> on 201).
/// </summary>
internal sealed class OpenApiConventions : IOpenApiOperationTransformer
{
    /// <summary>Wolverine's name for an endpoint without a doc: the method, '_', then the route (<c>POST_conversations</c>).</summary>
    private static bool IsPlaceholder(string? text) =>
        text?.IndexOf('_') is > 0 and var cut && text[..cut].All(char.IsAsciiLetterUpper);

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var method = description.HttpMethod ?? "GET";
        var route = "/" + (description.RelativePath ?? "").TrimStart('/');
        var anonymous = description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any();

        Describe(operation);
        operation.Tags = new HashSet<OpenApiTagReference> { new(Capabilities.Of(method, route).Name, context.Document) };
        operation.Security = anonymous
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiDocument.BearerScheme, context.Document)] = [] }];
        PagingDocs.Describe(operation);
        RouteIds(operation);
        if (operation.OperationId == "pushStream") PushStreamDocs.Describe(operation);

        operation.Responses ??= new OpenApiResponses();
        if (operation.Responses.TryGetValue("200", out var ok) && ok.Content?.Values.Any(IsIResult) == true)
            operation.Responses.Remove("200");
        if (operation.Responses.TryGetValue("201", out var created)) Header(created, "Location", "Where the new resource is read.");

        var hasInput = operation.Parameters?.Count > 0 || operation.RequestBody is not null;
        var hasId = route.Contains('{');
        var reads = method == "GET";
        if (hasInput) Problem(operation, context, "400", "Invalid input: `errors` names each failing field");
        if (!anonymous)
        {
            Problem(operation, context, "401", "No valid bearer token");
            if (!reads || hasId || route.StartsWith("/audit", StringComparison.Ordinal) || route.StartsWith("/reports", StringComparison.Ordinal))
                Problem(operation, context, "403", "The caller may not do this (`code` says why)");
            if (hasId) Problem(operation, context, "404", "Not found, or not visible to the caller");
            if (!reads) Problem(operation, context, "409", "The current state does not allow this, or a concurrent change won");
        }
        if (!reads) Problem(operation, context, "413", "The body is larger than the host accepts");
        if (operation.Responses.ContainsKey("429"))
            Problem(operation, context, "429", "Over a limit: retry after `Retry-After` seconds", retry: true);
        // A status a framework assumed (Wolverine's 404 for a null result) answers only where an id can name nothing.
        foreach (var (status, response) in operation.Responses.Where(r => r.Key[0] is '4' or '5' && r.Value.Content is not { Count: > 0 }).ToList())
        {
            if (status == "404" && hasId) Problem(operation, context, status, "Not found, or not visible to the caller");
            else operation.Responses.Remove(status);
        }
        // Every route but the development one reads or writes the database.
        if (!route.StartsWith("/dev/", StringComparison.Ordinal))
            Problem(operation, context, "503", "The database is out of reach; nothing was saved. Retry after `Retry-After` seconds", retry: true);
        return Task.CompletedTask;
    }

    /// <summary>
    /// The XML doc's first clause is the summary and the whole of it the description. Both are placeholders when the
    /// endpoint has no doc, which the spec of the document refuses.
    /// </summary>
    private static void Describe(OpenApiOperation operation)
    {
        var doc = operation.Summary is { Length: > 0 } s && !IsPlaceholder(s) ? s : null;
        if (doc is null) return;
        var text = System.Net.WebUtility.HtmlDecode(Regex.Replace(doc, @"\s*\n\s*", " ").Trim());
        operation.Summary = FirstClause(text);
        if (operation.Description is null || IsPlaceholder(operation.Description)) operation.Description = text;
    }

    /// <summary>The ids in a route are ids of <see cref="Rules"/>; an emoji is one reaction's length at most.</summary>
    private static void RouteIds(OpenApiOperation operation)
    {
        foreach (var parameter in operation.Parameters?.OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Path) ?? [])
        {
            if (parameter.Schema is not OpenApiSchema { Type: JsonSchemaType.String } schema) continue;
            schema.MinLength = 1;
            if (parameter.Name == "emoji") schema.MaxLength = Rules.MaxEmojiLength;
            else if (parameter.Name is "id" or "messageId" or "questionId") schema.MaxLength = Rules.MaxIdLength;
        }
    }

    /// <summary>What a list of operations shows: the text up to its first '.', ':' or ';' outside code.</summary>
    private static string FirstClause(string text)
    {
        var inCode = false;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '`') inCode = !inCode;
            else if (!inCode && text[i] is '.' or ':' or ';' && i > 0) return text[..i];
        }
        return text;
    }

    private static void Problem(OpenApiOperation operation, OpenApiOperationTransformerContext context, string status, string description, bool retry = false)
    {
        if (!operation.Responses!.TryGetValue(status, out var found) || found is not OpenApiResponse response)
        {
            response = new OpenApiResponse();
            operation.Responses[status] = response;
        }
        response.Description = description;
        // An answer of a body of its own (the health report's 503) keeps it; any other is the one problem schema.
        if (response.Content?.ContainsKey("application/json") != true)
            response.Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ApiDocument.ProblemSchema, context.Document) },
            };
        if (retry) Header(response, "Retry-After", "Seconds to wait before retrying.", JsonSchemaType.Integer);
    }

    private static void Header(IOpenApiResponse response, string name, string description, JsonSchemaType type = JsonSchemaType.String)
    {
        if (response is not OpenApiResponse concrete) return;
        concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
        concrete.Headers[name] = new OpenApiHeader
        {
            Description = description,
            Required = true,
            Schema = new OpenApiSchema { Type = type, Format = type == JsonSchemaType.Integer ? "int32" : name == "Location" ? "uri-reference" : null },
        };
    }

    private static bool IsIResult(OpenApiMediaType media) => media.Schema is OpenApiSchemaReference { Reference.Id: "IResult" };
}
