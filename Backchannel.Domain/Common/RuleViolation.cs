namespace Backchannel.Domain.Common;

/// <summary>Why a command was refused by a rule of the domain; the host maps each to an HTTP status.</summary>
public enum ViolationKind
{
    /// <summary>The target does not exist, or the actor may not know it exists (404).</summary>
    NotFound,
    /// <summary>The actor may see the target but may not do this to it (403).</summary>
    Forbidden,
    /// <summary>The target's current state does not allow this now (409).</summary>
    Conflict,
}

/// <summary>
/// A command broke a rule of the domain. Decisions throw it before anything is appended, so a refused command
/// changes nothing. <see cref="Code"/> is stable and machine-readable; <see cref="Field"/> names the input at fault.
/// </summary>
public sealed class RuleViolation(ViolationKind kind, string code, string message, string? field = null)
    : Exception(message)
{
    /// <summary>Which kind of refusal this is, and so which HTTP status it maps to.</summary>
    public ViolationKind Kind { get; } = kind;
    /// <summary>A stable, machine-readable code for the broken rule (e.g. <c>not_a_member</c>).</summary>
    public string Code { get; } = code;
    /// <summary>The input at fault, as the client named it, when one is.</summary>
    public string? Field { get; } = field;

    /// <summary>More members of the problem the host answers with (a suspension's end); null when there are none.</summary>
    public IReadOnlyDictionary<string, object?>? Extensions { get; init; }

    /// <summary>A refusal because the target does not exist or the actor may not know it does (404).</summary>
    public static RuleViolation NotFound(string code, string message, string? field = null) =>
        new(ViolationKind.NotFound, code, message, field);

    /// <summary>A refusal because the actor may see the target but may not do this to it (403).</summary>
    public static RuleViolation Forbidden(string code, string message, string? field = null) =>
        new(ViolationKind.Forbidden, code, message, field);

    /// <summary>A refusal because the target's current state does not allow this now (409).</summary>
    public static RuleViolation Conflict(string code, string message, string? field = null) =>
        new(ViolationKind.Conflict, code, message, field);
}
