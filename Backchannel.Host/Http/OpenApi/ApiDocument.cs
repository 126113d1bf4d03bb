using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Backchannel.Host.Http;

/// <summary>
/// What the whole document says once: its title, the bearer scheme every authenticated operation names, the tags (one
/// per capability, see <see cref="Capabilities"/>) and the one error schema every refusal follows.
/// </summary>
internal sealed class ApiDocument : IOpenApiDocumentTransformer
{
    public const string BearerScheme = "bearer";
    public const string ProblemSchema = "ProblemDetails";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Backchannel",
            Version = "v1",
            Description = "Message requests, conversations, rooms with a stage and questions, events, and a push stream of what "
                + "changes in the caller's views. Every error is `application/problem+json` (the `ProblemDetails` schema). "
                + "The guide is docs/api.md; a browsable reference is served at `/api-reference`.",
            License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" },
        };
        // Relative, so the document is the same wherever the host runs: a client resolves it against where it read it.
        document.Servers = [new OpenApiServer { Url = "/", Description = "The host that serves this document" }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT (HMAC-SHA256, issuer and audience `backchannel`) whose `sub` is the caller's handle; "
                + "`role: operator` grants the whole audit.",
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchema] = Problem();
        document.Components.Schemas.Remove("IResult");
        document.Components.Schemas.Remove("HttpValidationProblemDetails");
        var used = document.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags?.AsEnumerable() ?? []).Select(t => t.Name).ToHashSet();
        document.Tags = new HashSet<OpenApiTag>(Capabilities.All.Where(c => used.Contains(c.Name))
            .Select(c => new OpenApiTag { Name = c.Name, Description = c.Description }));
        return Task.CompletedTask;
    }

    /// <summary>RFC 9457 with the members Backchannel adds (docs/api.md#errors).</summary>
    private static OpenApiSchema Problem() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details. `type` is `" + ProblemMapping.ProblemTypes + "{code}`.",
        Required = new HashSet<string> { "type", "title", "status" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "`" + ProblemMapping.ProblemTypes + "` then the code." },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "What was refused, as a stable word (`conversation_not_found`, `invalid_input`, `rate_limit_requests_per_hour`, …).",
            },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "On a 400: each failing field, as the request spells it (`text`, `to[0]`, `limit`, `body`), and its messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
            ["field"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The one input at fault, when a rule names one." },
            ["refusedBy"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String },
                Description = "On a 403 `policy_following_only`: whose message policy refused.",
            },
            ["retryAfterSeconds"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Integer,
                Format = "int32",
                Minimum = "0",
                Description = "On a 429 or a 503: the same as the `Retry-After` header.",
            },
        },
        Examples = [new JsonObject
        {
            ["type"] = ProblemMapping.InvalidInputType,
            ["title"] = "Invalid input",
            ["status"] = 400,
            ["code"] = ProblemMapping.InvalidInput,
            ["errors"] = new JsonObject { ["text"] = new JsonArray("'text' must not be empty.") },
        }],
    };
}

/// <summary>The capabilities the operations are tagged by, each matched by its routes.</summary>
internal static class Capabilities
{
    public sealed record Capability(string Name, string Description, Func<string, string, bool> Matches);

    private static bool Under(string route, string prefix) => route == prefix || route.StartsWith(prefix + "/", StringComparison.Ordinal);

    // The first that matches wins, so the narrower routes come first.
    public static readonly IReadOnlyList<Capability> All =
    [
        new("Requests", "Starting a conversation with people who may not follow you, and deciding such requests.",
            (method, route) => (route == "/conversations" && method == "POST") || Under(route, "/inbox/requests")
                || (route.StartsWith("/conversations/{id}/", StringComparison.Ordinal) && route.Split('/').Length == 4
                    && route.Split('/')[3] is "accept" or "decline" or "block" or "report")),
        new("Inbox", "The caller's accepted conversations.", (_, route) => Under(route, "/inbox")),
        new("Conversations", "Threads, messages, reactions, read markers and groups.", (_, route) => Under(route, "/conversations")),
        new("People", "The caller's message policy, follows and blocks.", (_, route) => Under(route, "/me/policy") || Under(route, "/follows") || Under(route, "/blocks")),
        new("Push", "The caller's push stream (Server-Sent Events) and its tickets for browsers.", (_, route) => Under(route, "/me/events") || Under(route, "/push")),
        new("Privacy", "A user's own data: its export, and erasure by the user or an operator.",
            (_, route) => route is "/me" or "/me/export" || (route.StartsWith("/users/{userId}/erasure", StringComparison.Ordinal))),
        new("Questions", "Questions asked in a room, their screening and answers.", (_, route) => route.StartsWith("/rooms/{id}/questions", StringComparison.Ordinal)),
        new("Stage", "What a room's moderators and speakers see and decide: the moderation view, the stage, moderators.",
            (_, route) => route.StartsWith("/rooms/{id}/moderation", StringComparison.Ordinal) || route.StartsWith("/rooms/{id}/stage", StringComparison.Ordinal)
                || route.StartsWith("/rooms/{id}/moderators", StringComparison.Ordinal)),
        new("Rooms", "Live rooms: starting, joining, leaving, hands.", (_, route) => Under(route, "/rooms")),
        new("Events", "Scheduled events, their hosts and planning.", (_, route) => Under(route, "/events")),
        new("Thanks", "Thank-you notes for a room or an event.", (_, route) => Under(route, "/thanks")),
        new("Safety", "Trust and safety, for operators: the report queue, decisions on reports, suspensions.",
            (_, route) => Under(route, "/reports") || route.StartsWith("/users/{userId}/suspension", StringComparison.Ordinal)),
        new("Audit", "Decisions recorded for review: the caller's own, or anyone's for an operator.", (_, route) => Under(route, "/audit")),
        new("Operations", "What an operator checks: health.", (_, route) => Under(route, "/health")),
        new("Development", "Only in the Development environment.", (_, route) => Under(route, "/dev")),
        new("Other", "Routes of no capability above.", (_, _) => true),
    ];

    public static Capability Of(string method, string route) => All.First(c => c.Matches(method, route));
}
