using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Backchannel.Domain.Common;
using Backchannel.Host.Auth;
using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace Backchannel.Host.Http;

/// <summary>
/// Times given to the API: ISO 8601 with a date, a time and an explicit offset or <c>Z</c>, read as that instant and
/// kept in UTC from then on. A time without an offset is refused rather than guessed at: the server's zone is not the
/// client's, and PostgreSQL's <c>timestamptz</c> parameters take UTC only.
/// </summary>
public static partial class Times
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:\d{2})\z")]
    private static partial Regex IsoWithOffset();

    public const string Expected = "an ISO 8601 time with its offset or Z, as 2026-05-01T18:00:00Z";

    public static bool TryParseUtc(string? text, out DateTimeOffset utc)
    {
        utc = default;
        if (text is null || !IsoWithOffset().IsMatch(text)) return false;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed)) return false;
        utc = parsed.ToUniversalTime();
        return true;
    }
}

/// <summary>Reads every <see cref="DateTimeOffset"/> of a JSON body by <see cref="Times"/>; writes them as before.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && Times.TryParseUtc(reader.GetString(), out var utc)
            ? utc
            // No message of our own, so that the serializer adds the JSON path, which names the field in the 400.
            : throw new JsonException();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}

/// <summary>
/// Documents the times <see cref="UtcTimeConverter"/> reads as the strings they are: the OpenAPI generator knows no
/// schema for a type with a converter of its own and would leave out their <c>type</c>.
/// </summary>
public sealed class UtcTimeSchema : Microsoft.AspNetCore.OpenApi.IOpenApiSchemaTransformer
{
    public Task TransformAsync(Microsoft.OpenApi.OpenApiSchema schema, Microsoft.AspNetCore.OpenApi.OpenApiSchemaTransformerContext context,
        CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (Nullable.GetUnderlyingType(type) is { } inner) type = inner;
        if (type != typeof(DateTimeOffset)) return Task.CompletedTask;
        schema.Type = context.JsonPropertyInfo is { } property && Nullable.GetUnderlyingType(property.PropertyType) is not null
            ? Microsoft.OpenApi.JsonSchemaType.String | Microsoft.OpenApi.JsonSchemaType.Null
            : Microsoft.OpenApi.JsonSchemaType.String;
        schema.Format = "date-time";
        return Task.CompletedTask;
    }
}

/// <summary>
/// Checks what a route or a query string brings to a read before it reaches a query: a value PostgreSQL cannot hold
/// (NUL) or that no stored id could be is a 400 naming the parameter, not a failed query.
/// </summary>
public static class QueryValues
{
    public static string Id(string value, string name) =>
        Rules.IsId(value) ? value : throw Invalid(name, $"'{name}' must be an id of up to {Rules.MaxIdLength} letters, digits, '.', '_', '~' or '-'.");

    public static string? OptionalId(string? value, string name) => value is null ? null : Id(value, name);

    public static string? OptionalHandle(string? value, string name) =>
        value is null || Rules.IsHandle(value) ? value : throw Invalid(name, $"'{name}' must be a handle of 2 to 32 characters a-z, 0-9 or _.");

    /// <summary>The time in query parameter <paramref name="name"/>, in UTC, by <see cref="Times"/>; null when absent.</summary>
    public static DateTimeOffset? Time(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        if (text.Length == 0) return null;
        return Times.TryParseUtc(text, out var utc) ? utc : throw Invalid(name, $"'{name}' must be {Times.Expected} ('+' written %2B).");
    }

    public static ValidationException Invalid(string name, string message) => new([new ValidationFailure(name, message)]);
}

/// <summary>
/// The names a client uses for the fields of a request (its route parameters and the properties of its body), so
/// that a 400 names those rather than the properties of the command they became ("followee" is the route's
/// <c>userId</c>, "newMembers" the body's <c>userIds</c>, a <c>conversationId</c> from the route is its <c>id</c>).
/// </summary>
public sealed class FieldNames(IReadOnlySet<string> names)
{
    private static readonly Dictionary<string, string> Aliases = new()
    {
        ["followee"] = "userId",
        ["target"] = "userId",
        ["member"] = "userId",
        ["coHost"] = "userId",
        ["newMembers"] = "userIds",
        ["conversationId"] = "id",
        ["roomId"] = "id",
        ["eventId"] = "id",
    };

    private static readonly HashSet<string> TimeFields = [.. typeof(FieldNames).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(FieldNames).Namespace && t.Name.EndsWith("Body", StringComparison.Ordinal))
        .SelectMany(t => t.GetProperties())
        .Where(p => Nullable.GetUnderlyingType(p.PropertyType) is { } inner ? inner == typeof(DateTimeOffset) : p.PropertyType == typeof(DateTimeOffset))
        .Select(p => CamelCase(p.Name))];

    /// <summary>The client's name for a command's field, when the request spells it otherwise; else the field itself.</summary>
    public static string AliasOf(string field) => Aliases.GetValueOrDefault(field, field);

    /// <summary>Whether a body field of that name is a time (its 400 then says what a time must look like).</summary>
    public static bool IsTime(string field) => TimeFields.Contains(field);

    public static FieldNames Of(HttpContext http)
    {
        var endpoint = EndpointOf(http);
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (endpoint is RouteEndpoint route) names.UnionWith(route.RoutePattern.Parameters.Select(p => p.Name));
        foreach (var accepts in endpoint?.Metadata.GetOrderedMetadata<IAcceptsMetadata>() ?? [])
            if (accepts.RequestType is { } body) names.UnionWith(body.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => CamelCase(p.Name)));
        return new FieldNames(names);
    }

    /// <summary>The client's name for an error key: itself when the request has such a field, else its alias if it has that.</summary>
    public string ToClient(string key)
    {
        var head = key.Split('[', '.')[0];
        if (names.Count == 0 || names.Contains(head)) return key;
        return Aliases.TryGetValue(head, out var alias) && names.Contains(alias) ? alias + key[head.Length..] : key;
    }

    public string Rename(string message, string key, string renamed) =>
        message.Replace($"'{key.Split('[', '.')[0]}", $"'{renamed.Split('[', '.')[0]}", StringComparison.Ordinal);

    /// <summary>The request's endpoint, also once the exception handler has cleared it to write the problem.</summary>
    public static Endpoint? EndpointOf(HttpContext http) =>
        http.GetEndpoint() ?? http.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;

    public static string CamelCase(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];
}

/// <summary>
/// A refusal (any 4xx) is the API working, not an error: one Information line in category <c>Backchannel.Refusals</c>
/// with the route (its pattern, not the ids), the status, the code, the fields named and the caller's handle, and
/// never what the request carried. Wolverine's own "Invocation of {Message} failed" (at Error, with the whole
/// command and so the user's text) and its body-deserialization errors are silenced in <see cref="BackchannelHost"/>.
/// </summary>
public static class RefusalLog
{
    public const string Category = "Backchannel.Refusals";

    public static void Write(HttpContext http, ProblemDetails problem)
    {
        if (problem.Status is not (>= 400 and < 500)) return;
        var logger = http.RequestServices.GetService<ILoggerFactory>()?.CreateLogger(Category);
        if (logger is null || !logger.IsEnabled(LogLevel.Information)) return;
        var code = problem.Extensions.TryGetValue("code", out var given) && given is not null ? given.ToString()
            : problem.Type?.StartsWith(ProblemMapping.ProblemTypes, StringComparison.Ordinal) == true ? problem.Type[ProblemMapping.ProblemTypes.Length..]
            : null;
        var fields = problem is HttpValidationProblemDetails validation ? string.Join(",", validation.Errors.Keys)
            : problem.Extensions.TryGetValue("errors", out var errors) && errors is IDictionary<string, string[]> map ? string.Join(",", map.Keys)
            : problem.Extensions.TryGetValue("field", out var field) ? field?.ToString() : null;
        var route = (FieldNames.EndpointOf(http) as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        var actor = http.User.Identity?.IsAuthenticated == true ? http.User.Handle() : "anonymous";
        logger.LogInformation("Refused {Method} {Route}: {Status} {Code} (fields: {Fields}) for {Actor}",
            http.Request.Method, route, problem.Status, code, fields, actor);
    }

    /// <summary>
    /// The log categories that would carry a request's content: Wolverine logs a failed command under the command's
    /// type (Backchannel.Domain) and a body that did not deserialize under the body's type.
    /// </summary>
    public static IEnumerable<string> SilencedCategories() =>
        [typeof(Rules).Namespace!.Split('.')[0] + ".Domain", .. typeof(RefusalLog).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(RefusalLog).Namespace && t.Name.EndsWith("Body", StringComparison.Ordinal))
            .Select(t => t.FullName!)];
}

/// <summary>
/// Refuses a request body larger than the largest valid one, before anything reads it: 413 ProblemDetails. Kestrel is
/// given the same limit for each request; the body is also counted here, so that the limit holds wherever the host
/// runs (the in-process test server enforces none) and for a body sent without a Content-Length.
/// </summary>
public static class BodyLimit
{
    /// <summary>
    /// The largest valid body is a request to 14 people (a group of 15) with 4,000 UTF-16 units of text, each
    /// escaped in JSON as <c>\uXXXX</c> (6 bytes): about 24,000 bytes of text and 1,000 of names and ids, each id
    /// escaped too. This allows more than twice that.
    /// </summary>
    public const long DefaultMaxBytes = 64 * 1024;

    public const string Setting = "Backchannel:MaxRequestBodyBytes";

    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app, long limit) => app.Use(async (http, next) =>
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } kestrel) kestrel.MaxRequestBodySize = limit;
        var request = http.Request;
        if (request.ContentLength > limit) throw TooLarge(limit);
        if (request.ContentLength is null && !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            // Without a length the body is read here, to at most one byte past the limit, and handed on in memory.
            var buffered = new MemoryStream();
            var chunk = new byte[8192];
            try
            {
                int read;
                while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
                {
                    buffered.Write(chunk, 0, read);
                    if (buffered.Length > limit) throw TooLarge(limit);
                }
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                throw TooLarge(limit);
            }
            buffered.Position = 0;
            request.Body = buffered;
            request.ContentLength = buffered.Length;
        }
        await next(http);
    });

    private static BadHttpRequestException TooLarge(long limit) =>
        new($"The body may hold at most {limit.ToString(CultureInfo.InvariantCulture)} bytes.", StatusCodes.Status413PayloadTooLarge);
}
