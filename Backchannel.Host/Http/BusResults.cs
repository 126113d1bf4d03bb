using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Microsoft.AspNetCore.Mvc;
using Wolverine;

namespace Backchannel.Host.Http;

/// <summary>
/// What every endpoint that sends a command answers: the command's result mapped to HTTP (204, 201 with a location,
/// 403 refused by policy, 429 with <c>Retry-After</c>). A refusal the command throws is mapped by <see cref="ProblemMapping"/>.
/// </summary>
public static class BusResults
{
    /// <summary>Runs a command that answers nothing: 204, or the ProblemDetails of its refusal.</summary>
    public static async Task<IResult> NoContent(this IMessageBus bus, object command)
    {
        await bus.InvokeAsync(command);
        return TypedResults.NoContent();
    }

    /// <summary>Runs a command that starts a conversation: 201 with its location, or 403 when a recipient's policy refuses.</summary>
    public static async Task<IResult> StartConversation(this IMessageBus bus, object command)
    {
        var result = await bus.InvokeAsync<ConversationRequested>(command);
        if (result.Throttle is { Refused: true } throttle) return TooManyRequests(throttle);
        return result.Started
            ? TypedResults.Created($"/conversations/{result.ConversationId}",
                new ConversationCreated(result.ConversationId, result.OpeningMessageId, WarningOf(result.Throttle)))
            : RefusedByPolicy(result.RefusedBy);
    }

    /// <summary>Runs a rate-limited command: <paramref name="created"/> (with a warning near the limit), or 429.</summary>
    public static async Task<IResult> Paced(this IMessageBus bus, object command, Func<RateLimitWarning?, IResult> created)
    {
        var paced = await bus.InvokeAsync<Paced>(command);
        return paced.Throttle is { Refused: true } throttle ? TooManyRequests(throttle) : created(WarningOf(paced.Throttle));
    }

    internal static RateLimitWarning? WarningOf(Throttle? throttle) =>
        throttle is { Refused: false, NearLimit: true } ? new RateLimitWarning(throttle.Rule, throttle.Remaining) : null;

    /// <summary>429 with a <c>Retry-After</c> header (whole seconds, rounded up) and the rule in the ProblemDetails.</summary>
    public static IResult TooManyRequests(Throttle throttle) => new RateLimited(throttle);

    private sealed class RateLimited(Throttle throttle) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var seconds = (int)Math.Ceiling(throttle.RetryAfter.TotalSeconds);
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var problem = ProblemMapping.Retry(ProblemMapping.Problem(StatusCodes.Status429TooManyRequests, throttle.Rule, "Too many requests",
                $"You reached the limit {throttle.Rule}; retry in {seconds} s. The attempt is recorded."), seconds);
            return TypedResults.Problem(problem).ExecuteAsync(http);
        }
    }

    /// <summary>A refusal by the recipients' policy: recorded in the audit, then answered 403.</summary>
    public static IResult RefusedByPolicy(IReadOnlyList<string> refusedBy)
    {
        var problem = ProblemMapping.ToProblem(RuleViolation.Forbidden(AdmissionRules.PolicyFollowingOnly,
            $"{string.Join(", ", refusedBy)} only receive messages from people they follow.", "to"))!;
        problem.Extensions["refusedBy"] = refusedBy;
        return TypedResults.Problem(problem);
    }
}
