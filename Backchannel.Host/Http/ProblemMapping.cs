using System.Text.Json;
using Backchannel.Domain.Common;
using FluentValidation;
using JasperFx;
using Backchannel.Projections;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Backchannel.Host.Http;

/// <summary>
/// Turns every refusal into RFC 9457 ProblemDetails: invalid input 400 (naming the fields), a body over the limit 413
/// (<see cref="BodyLimit"/>), a rule of the domain
/// 403/404/409 with its code, a lost race 409, the database out of reach 503 with <c>Retry-After</c> (nothing was
/// committed that the caller was told of; retrying is safe). Anything else is a bug and stays a 500.
/// </summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellation)
    {
        var problem = ToProblem(exception);
        if (problem is null) return false;
        http.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
            http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    public static ProblemDetails? ToProblem(Exception exception) => exception switch
    {
        ValidationException invalid => Invalid(invalid.Errors
            .GroupBy(e => CamelCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray())),
        BadHttpRequestException { InnerException: JsonException json } => Invalid(new() { [JsonField(json)] = [Unreadable(JsonField(json))] }),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge => new ProblemDetails
        {
            Status = StatusCodes.Status413PayloadTooLarge,
            Title = "Request too large",
            Detail = tooLarge.Message,
            Type = $"{ProblemTypes}request_too_large",
        },
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status400BadRequest => Invalid(new() { ["body"] = [Unreadable("body")] }),
        BadHttpRequestException bad => new ProblemDetails { Status = bad.StatusCode, Title = "Bad request" },
        JsonException json => Invalid(new() { [JsonField(json)] = [Unreadable(JsonField(json))] }),
        RuleViolation rule => Rule(rule),
        _ when exception is ConcurrencyException || StreamCollisions.IsStreamCreatedConcurrently(exception) => new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "Conflicting change",
            Detail = "Someone changed this at the same moment; read it again and retry.",
            Type = "https://backchannel.dev/problems/concurrent_change",
        },
        _ when DatabaseUnavailable(exception) => new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Database unavailable",
            Detail = "The database could not be reached or dropped the connection; nothing was saved. Retry shortly.",
            Type = "https://backchannel.dev/problems/database_unavailable",
        },
        _ => null,
    };

    /// <summary>The <c>Retry-After</c> of a 503: a restarting PostgreSQL is back within seconds (docs/operations.md#fault-tests).</summary>
    public const int RetryAfterSeconds = 2;

    /// <summary>
    /// A failure of the connection, not of the command: the server is down, restarting, or cut this session off
    /// (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, class 08 connection exceptions), or a
    /// socket or Npgsql failure Npgsql itself calls transient. Searched through inner exceptions, as Marten and
    /// Wolverine wrap them.
    /// </summary>
    public static bool DatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    return postgres.SqlState is "57P01" or "57P02" or "57P03" || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
                case Npgsql.NpgsqlException { IsTransient: true }:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }
        return false;
    }

    private static ProblemDetails Rule(RuleViolation rule)
    {
        var problem = new ProblemDetails
        {
            Status = rule.Kind switch
            {
                ViolationKind.NotFound => StatusCodes.Status404NotFound,
                ViolationKind.Forbidden => StatusCodes.Status403Forbidden,
                _ => StatusCodes.Status409Conflict,
            },
            Title = rule.Code.Replace('_', ' '),
            Detail = rule.Message,
            Type = $"https://backchannel.dev/problems/{rule.Code}",
        };
        problem.Extensions["code"] = rule.Code;
        if (rule.Field is not null) problem.Extensions["field"] = rule.Field;
        foreach (var (key, value) in rule.Extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        return problem;
    }

    /// <summary>Where every problem type of Backchannel lives; the last segment is the problem's code.</summary>
    public const string ProblemTypes = "https://backchannel.dev/problems/";

    public const string InvalidInputType = ProblemTypes + "invalid_input";

    private static ValidationProblemDetails Invalid(Dictionary<string, string[]> errors) => new(errors)
    {
        Status = StatusCodes.Status400BadRequest,
        Title = "Invalid input",
        Type = InvalidInputType,
    };

    /// <summary>
    /// Gives every 400 one shape, whoever wrote it (a validator, Wolverine refusing a body that does not deserialize
    /// or a query value that does not parse, the status-code pages): type <c>invalid_input</c> and an <c>errors</c>
    /// map naming each field as the client spells it, with messages of our own rather than the parser's, which name
    /// CLR types. Then logs the refusal (see <see cref="RefusalLog"/>).
    /// </summary>
    public static void Shape(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Status == StatusCodes.Status400BadRequest) ShapeInvalidInput(context.HttpContext, problem);
        RefusalLog.Write(context.HttpContext, problem);
    }

    private static void ShapeInvalidInput(HttpContext http, ProblemDetails problem)
    {
        var errors = problem is HttpValidationProblemDetails validation ? validation.Errors
            : problem.Extensions.TryGetValue("errors", out var given) ? given as IDictionary<string, string[]> : null;
        if (errors is null || errors.Count == 0)
        {
            var (field, message) = Unparsed(problem);
            errors = new Dictionary<string, string[]> { [field] = [message] };
            problem.Extensions["errors"] = errors;
        }
        var names = FieldNames.Of(http);
        foreach (var (key, messages) in errors.ToList())
        {
            var renamed = names.ToClient(key);
            if (renamed == key) continue;
            errors.Remove(key);
            errors[renamed] = [.. messages.Select(m => names.Rename(m, key, renamed))];
        }
        problem.Type = InvalidInputType;
        problem.Title = "Invalid input";
        problem.Detail = null;
        foreach (var parserDetail in (string[])["parameter", "lineNumber", "bytePositionInLine"]) problem.Extensions.Remove(parserDetail);
    }

    /// <summary>The field and message of a 400 that came with none: a query value or a body that did not parse.</summary>
    private static (string Field, string Message) Unparsed(ProblemDetails problem)
    {
        if (problem.Extensions.TryGetValue("parameter", out var parameter) && parameter?.ToString() is { Length: > 0 } name)
            return (name, $"'{name}' is not a valid value of its type (see the OpenAPI document).");
        var path = JsonPath().Match(problem.Detail ?? "");
        var field = path.Success ? path.Groups["field"].Value : "body";
        return (field, Unreadable(field));
    }

    private static string Unreadable(string field) => field == "body"
        ? "The body must be one JSON object of the documented shape."
        : FieldNames.IsTime(field)
            ? $"'{field}' must be an ISO 8601 time with its offset or Z, as 2026-05-01T18:00:00Z."
            : $"'{field}' is of the wrong type or malformed.";

    [System.Text.RegularExpressions.GeneratedRegex(@"Path: \$\.(?<field>[A-Za-z0-9_.\[\]]+)")]
    private static partial System.Text.RegularExpressions.Regex JsonPath();

    /// <summary>The JSON path of a deserialization failure, as the field name ("$.text" -> "text").</summary>
    private static string JsonField(JsonException json) =>
        json.Path is { Length: > 2 } path && path.StartsWith("$.") ? path[2..] : "body";

    private static string CamelCase(string propertyName) =>
        string.Join('.', propertyName.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}
