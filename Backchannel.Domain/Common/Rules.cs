using System.Text.RegularExpressions;
using FluentValidation;

namespace Backchannel.Domain.Common;

/// <summary>Input-shape rules shared by the validators of every capability.</summary>
public static partial class Rules
{
    public const int MaxMessageLength = 4_000;
    public const int MaxIdLength = 64;
    public const int MaxTitleLength = 100;
    public const int MaxReasonLength = 1_000;

    [GeneratedRegex("^[a-z0-9_]{2,32}$")]
    private static partial Regex HandlePattern();

    [GeneratedRegex("^[A-Za-z0-9._~-]+$")]
    private static partial Regex IdPattern();

    public static bool IsHandle(string? value) => value is not null && HandlePattern().IsMatch(value);

    /// <summary>
    /// Free text must not hold NUL: PostgreSQL's <c>jsonb</c>, where every event is stored, cannot, so such text would
    /// fail only when its event is appended.
    /// </summary>
    public static bool HasNoNul(string? value) => value is null || !value.Contains('\0');

    private const string NoNulMessage = "'{PropertyName}' may not contain the NUL character.";

    /// <summary>A user handle: <c>[a-z0-9_]{2,32}</c>.</summary>
    public static IRuleBuilderOptions<T, string> MustBeHandle<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Must(IsHandle).WithMessage("'{PropertyName}' must be a handle of 2 to 32 characters a-z, 0-9 or _.");

    /// <summary>
    /// An id chosen by the caller for a stream or a message: up to 64 URL-safe characters. Ids travel in routes, and
    /// streams derived from them (a participant's is <c>room/user</c>) use '/', which an id therefore cannot hold.
    /// </summary>
    public static IRuleBuilderOptions<T, string> MustBeId<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(MaxIdLength).Must(id => id is null || IdPattern().IsMatch(id))
            .WithMessage("'{PropertyName}' must be an id of letters, digits, '.', '_', '~' or '-'.");

    /// <summary>
    /// The id of a stream a command starts (a conversation, a room, a question, an event): an id that is not also a
    /// possible handle, since users' streams are keyed by handle and every stream id shares one space.
    /// </summary>
    public static IRuleBuilderOptions<T, string> MustBeNewStreamId<T>(this IRuleBuilder<T, string> rule) =>
        rule.MustBeId().Must(id => id is null || !IsHandle(id))
            .WithMessage("'{PropertyName}' must hold a character a handle cannot ('-', '.', '~' or a capital letter), so that it never names a user.");

    /// <summary>Message text: 1 to 4,000 characters, not only white space.</summary>
    public static IRuleBuilderOptions<T, string> MustBeMessageText<T>(this IRuleBuilder<T, string> rule) =>
        rule.MustBeText(MaxMessageLength);

    /// <summary>Free text: 1 to <paramref name="maxLength"/> characters, not only white space, no NUL.</summary>
    public static IRuleBuilderOptions<T, string> MustBeText<T>(this IRuleBuilder<T, string> rule, int maxLength) =>
        rule.NotEmpty().MaximumLength(maxLength).Must(HasNoNul).WithMessage(NoNulMessage);

    /// <summary>An emoji: a short run of non-space characters (one grapheme may take several code units).</summary>
    public static IRuleBuilderOptions<T, string> MustBeEmoji<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(32).Must(e => e is not null && !e.Any(c => char.IsWhiteSpace(c) || c == '\0'))
            .WithMessage("'{PropertyName}' must be an emoji.");

    /// <summary>The title of a group, a room or an event: 1 to 100 characters, not only white space.</summary>
    public static IRuleBuilderOptions<T, string> MustBeTitle<T>(this IRuleBuilder<T, string> rule) =>
        rule.MustBeText(MaxTitleLength);

    /// <summary>An optional reason given for a decision: at most 1,000 characters.</summary>
    public static IRuleBuilderOptions<T, string?> MustBeReason<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(MaxReasonLength).Must(HasNoNul).WithMessage(NoNulMessage);
}
