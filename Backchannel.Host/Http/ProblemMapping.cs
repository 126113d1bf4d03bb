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
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge =>
            Problem(StatusCodes.Status413PayloadTooLarge, "request_too_large", "Request too large", tooLarge.Message),
        BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status400BadRequest => Invalid(new() { ["body"] = [Unreadable("body")] }),
        BadHttpRequestException bad => Problem(bad.StatusCode, CodeOf(bad.StatusCode), "Bad request", null),
        JsonException json => Invalid(new() { [JsonField(json)] = [Unreadable(JsonField(json))] }),
        RuleViolation rule => Rule(rule),
        _ when exception is ConcurrencyException || StreamCollisions.IsStreamCreatedConcurrently(exception) =>
            Problem(StatusCodes.Status409Conflict, "concurrent_change", "Conflicting change", "Someone changed this at the same moment; read it again and retry."),
        _ when DatabaseUnavailable(exception) => Retry(Problem(StatusCodes.Status503ServiceUnavailable, "database_unavailable", "Database unavailable",
            "The database could not be reached or dropped the connection; nothing was saved. Retry shortly."), RetryAfterSeconds),
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

    /// <summary>
    /// A refusal answered without throwing (a view the caller may not see): the same ProblemDetails as when a command
    /// throws <paramref name="rule"/>.
    /// </summary>
    public static IResult Refused(RuleViolation rule) => TypedResults.Problem(Rule(rule));

    private static ProblemDetails Rule(RuleViolation rule)
    {
        var status = rule.Kind switch
        {
            ViolationKind.NotFound => StatusCodes.Status404NotFound,
            ViolationKind.Forbidden => StatusCodes.Status403Forbidden,
            _ => StatusCodes.Status409Conflict,
        };
        var problem = Problem(status, rule.Code, rule.Code.Replace('_', ' '), rule.Message);
        if (rule.Field is not null) problem.Extensions["field"] = rule.Field;
        foreach (var (key, value) in rule.Extensions ?? new Dictionary<string, object?>()) problem.Extensions[key] = value;
        return problem;
    }

    /// <summary>Where every problem type of Backchannel lives; the last segment is the problem's code.</summary>
    public const string ProblemTypes = "https://backchannel.dev/problems/";

    public const string InvalidInput = "invalid_input";

    public const string InvalidInputType = ProblemTypes + InvalidInput;

    /// <summary>The one way a problem is made: its type is <see cref="ProblemTypes"/> then its code, which it also carries as <c>code</c>.</summary>
    public static ProblemDetails Problem(int status, string code, string title, string? detail)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = ProblemTypes + code };
        problem.Extensions["code"] = code;
        return problem;
    }

    /// <summary>Adds the <c>retryAfterSeconds</c> a 429 or a 503 carries beside its <c>Retry-After</c> header.</summary>
    public static ProblemDetails Retry(ProblemDetails problem, int seconds)
    {
        problem.Extensions["retryAfterSeconds"] = seconds;
        return problem;
    }

    /// <summary>The code of a problem the framework wrote (no route, no token, a wrong method or media type), by its status.</summary>
    public static string CodeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => InvalidInput,
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status406NotAcceptable => "not_acceptable",
        StatusCodes.Status413PayloadTooLarge => "request_too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => "too_many_requests",
        StatusCodes.Status503ServiceUnavailable => "service_unavailable",
        >= 500 => "internal_error",
        _ => "bad_request",
    };

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
        problem.Status ??= context.HttpContext.Response.StatusCode;
        if (problem.Status == StatusCodes.Status400BadRequest) ShapeInvalidInput(context.HttpContext, problem);
        ShapeCode(context.HttpContext, problem);
        RefusalLog.Write(context.HttpContext, problem);
    }

    /// <summary>
    /// Every problem has a <c>code</c> and the type of that code under <see cref="ProblemTypes"/>, whoever wrote it:
    /// one of ours keeps its code, one the framework wrote (an unknown route 404, a 401, a 405) gets the code of its
    /// status. A 429 or 503 also carries its <c>Retry-After</c> as <c>retryAfterSeconds</c>.
    /// </summary>
    private static void ShapeCode(HttpContext http, ProblemDetails problem)
    {
        var code = problem.Extensions.TryGetValue("code", out var given) && given?.ToString() is { Length: > 0 } known ? known
            : problem.Type?.StartsWith(ProblemTypes, StringComparison.Ordinal) == true ? problem.Type[ProblemTypes.Length..]
            : CodeOf(problem.Status!.Value);
        problem.Extensions["code"] = code;
        problem.Type = ProblemTypes + code;
        if (problem.Status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable
            && !problem.Extensions.ContainsKey("retryAfterSeconds")
            && int.TryParse(http.Response.Headers.RetryAfter.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            problem.Extensions["retryAfterSeconds"] = seconds;
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
        problem.Extensions["code"] = InvalidInput;
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
