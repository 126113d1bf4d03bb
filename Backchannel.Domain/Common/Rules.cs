using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FluentValidation;

namespace Backchannel.Domain.Common;

/// <summary>Input-shape rules shared by the validators of every capability.</summary>
public static partial class Rules
{
    /// <summary>The longest message text, in characters.</summary>
    public const int MaxMessageLength = 4_000;
    /// <summary>The longest id a client may choose.</summary>
    public const int MaxIdLength = 64;
    /// <summary>The longest title of a group, room or event.</summary>
    public const int MaxTitleLength = 100;
    /// <summary>The longest reason given with a report, a removal or a cancellation.</summary>
    public const int MaxReasonLength = 1_000;

    /// <summary>The longest reaction, in characters (one emoji, possibly joined).</summary>
    public const int MaxEmojiLength = 32;

    // `\z`, not `$`: `$` also matches before a final newline, so "ab\n" would pass for the handle "ab".
    [GeneratedRegex(@"^[a-z0-9_]{2,32}\z")]
    private static partial Regex HandlePattern();

    [GeneratedRegex(@"^[A-Za-z0-9._~-]+\z")]
    private static partial Regex IdPattern();

    /// <summary>An id chosen by the caller: up to 64 characters a-z, A-Z, 0-9, '.', '_', '~' or '-'.</summary>
    public static bool IsId(string? value) => value is { Length: > 0 and <= MaxIdLength } && IdPattern().IsMatch(value);

    /// <summary>A user handle: 2 to 32 characters a-z, 0-9 or _.</summary>
    public static bool IsHandle(string? value) => value is not null && HandlePattern().IsMatch(value);

    /// <summary>
    /// Free text must not hold NUL: PostgreSQL's <c>jsonb</c>, where every event is stored, cannot, so such text would
    /// fail only when its event is appended.
    /// </summary>
    public static bool HasNoNul(string? value) => value is null || !value.Contains('\0');

    private const string NoNulMessage = "'{PropertyName}' may not contain the NUL character.";

    /// <summary>
    /// No lone surrogate: such text is not Unicode, and PostgreSQL's <c>jsonb</c> refuses the escape it is written as.
    /// </summary>
    public static bool IsWellFormed(string? value)
    {
        if (value is null) return true;
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else if (char.IsSurrogate(value[i])) return false;
        }
        return true;
    }

    /// <summary>
    /// Text someone can see: at least one character that is not white space, a control or format character
    /// (zero-width space, joiners, word joiner, BOM, bidi marks), a combining mark on its own, a default-ignorable
    /// code point (variation selectors, tags, Hangul fillers) or the blank braille pattern.
    /// </summary>
    public static bool HasVisibleCharacter(string? value) => value is not null && value.EnumerateRunes().Any(IsVisible);

    private static bool IsVisible(Rune rune)
    {
        if (Rune.IsWhiteSpace(rune)) return false;
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.Control:
            case UnicodeCategory.Format:
            case UnicodeCategory.SpaceSeparator:
            case UnicodeCategory.LineSeparator:
            case UnicodeCategory.ParagraphSeparator:
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Surrogate:
                return false;
        }
        return !IsDefaultIgnorable(rune.Value) && rune.Value != 0x2800;
    }

    /// <summary>Unicode's Default_Ignorable_Code_Point: drawn as nothing wherever they are not understood.</summary>
    private static bool IsDefaultIgnorable(int c) => c is 0x00AD or 0x034F or 0x061C or 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0xFEFF
        or (>= 0x17B4 and <= 0x17B5) or (>= 0x180B and <= 0x180F) or (>= 0x200B and <= 0x200F) or (>= 0x202A and <= 0x202E)
        or (>= 0x2060 and <= 0x206F) or (>= 0xFE00 and <= 0xFE0F) or (>= 0xFFF0 and <= 0xFFF8) or (>= 0x1BCA0 and <= 0x1BCA3)
        or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE0FFF);

    /// <summary>
    /// An emoji: one grapheme cluster (what a reader sees as one symbol) of at most 32 UTF-16 code units, made of
    /// emoji pictographs (with their skin-tone modifiers and regional-indicator flags), joined by the characters that
    /// build emoji sequences (zero-width joiner, variation selector 16, tags), or a keycap (0-9, # or * then U+20E3).
    /// Letters, punctuation and '/' are not emoji, so every reaction fits in its withdrawal route once escaped.
    /// </summary>
    public static bool IsEmoji(string? value)
    {
        if (value is not { Length: > 0 and <= MaxEmojiLength } || !IsWellFormed(value)) return false;
        if (new StringInfo(value).LengthInTextElements != 1) return false;
        var runes = value.EnumerateRunes().Select(r => r.Value).ToArray();
        if (runes is [var key, .., 0x20E3] && (key is >= '0' and <= '9' or '#' or '*'))
            return runes.Length == 2 || runes is [_, 0xFE0F, _];
        return runes.Any(IsPictograph) && runes.All(r => IsPictograph(r) || IsEmojiJoiner(r));
    }

    private static bool IsPictograph(int c) => c is 0x00A9 or 0x00AE or 0x203C or 0x2049 or 0x2122 or 0x2139 or 0x24C2 or 0x25B6
        or 0x25C0 or 0x2328 or 0x23CF or 0x2B50 or 0x2B55 or 0x3030 or 0x303D or 0x3297 or 0x3299
        or (>= 0x2194 and <= 0x2199) or (>= 0x21A9 and <= 0x21AA) or (>= 0x231A and <= 0x231B) or (>= 0x23E9 and <= 0x23F3)
        or (>= 0x23F8 and <= 0x23FA) or (>= 0x25AA and <= 0x25AB) or (>= 0x25FB and <= 0x25FE) or (>= 0x2600 and <= 0x27BF)
        or (>= 0x2934 and <= 0x2935) or (>= 0x2B05 and <= 0x2B07) or (>= 0x2B1B and <= 0x2B1C) or (>= 0x1F000 and <= 0x1FAFF)
        or (>= 0x1FC00 and <= 0x1FFFD);

    private static bool IsEmojiJoiner(int c) => c is 0x200D or 0xFE0F or (>= 0xE0020 and <= 0xE007F);

    private const string VisibleMessage = "'{PropertyName}' must hold a visible character, not only spaces or invisible characters.";

    /// <summary>A user handle: <c>[a-z0-9_]{2,32}</c>.</summary>
    internal static IRuleBuilderOptions<T, string> MustBeHandle<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Must(IsHandle).WithMessage("'{PropertyName}' must be a handle of 2 to 32 characters a-z, 0-9 or _.");

    /// <summary>
    /// An id chosen by the caller for a stream or a message: up to 64 URL-safe characters. Ids travel in routes, and
    /// streams derived from them (a participant's is <c>room/user</c>) use '/', which an id therefore cannot hold.
    /// </summary>
    internal static IRuleBuilderOptions<T, string> MustBeId<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(MaxIdLength).Must(id => id is null || id.Length == 0 || IdPattern().IsMatch(id))
            .WithMessage("'{PropertyName}' must be an id of letters, digits, '.', '_', '~' or '-'.");

    /// <summary>
    /// The id of a stream a command starts (a conversation, a room, a question, an event): an id that is not also a
    /// possible handle, since users' streams are keyed by handle and every stream id shares one space.
    /// </summary>
    internal static IRuleBuilderOptions<T, string> MustBeNewStreamId<T>(this IRuleBuilder<T, string> rule) =>
        rule.MustBeId().Must(id => id is null || !IsHandle(id))
            .WithMessage("'{PropertyName}' must hold a character a handle cannot ('-', '.', '~' or a capital letter), so that it never names a user.");

    /// <summary>Message text: 1 to 4,000 characters, not only white space.</summary>
    internal static IRuleBuilderOptions<T, string> MustBeMessageText<T>(this IRuleBuilder<T, string> rule) =>
        rule.MustBeText(MaxMessageLength);

    /// <summary>
    /// Free text: 1 to <paramref name="maxLength"/> characters, well-formed, no NUL, with at least one visible character.
    /// </summary>
    internal static IRuleBuilderOptions<T, string> MustBeText<T>(this IRuleBuilder<T, string> rule, int maxLength) =>
        rule.NotEmpty().MaximumLength(maxLength).Must(HasNoNul).WithMessage(NoNulMessage)
            .Must(IsWellFormed).WithMessage("'{PropertyName}' must be well-formed Unicode (no lone surrogate).")
            .Must(HasVisibleCharacter).WithMessage(VisibleMessage);

    /// <summary>An emoji, by <see cref="IsEmoji"/>.</summary>
    internal static IRuleBuilderOptions<T, string> MustBeEmoji<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().Must(IsEmoji).WithMessage("'{PropertyName}' must be one emoji.");

    /// <summary>
    /// The emoji of a reaction to withdraw: any reaction stored before emoji were checked can still be taken back, so
    /// only its shape is checked (short, no NUL).
    /// </summary>
    internal static IRuleBuilderOptions<T, string> MustBeStoredReaction<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(MaxEmojiLength).Must(HasNoNul).WithMessage(NoNulMessage);

    /// <summary>The title of a group, a room or an event: 1 to 100 characters, not only white space.</summary>
    internal static IRuleBuilderOptions<T, string> MustBeTitle<T>(this IRuleBuilder<T, string> rule) =>
        rule.MustBeText(MaxTitleLength);

    /// <summary>An optional reason given for a decision: at most 1,000 characters.</summary>
    internal static IRuleBuilderOptions<T, string?> MustBeReason<T>(this IRuleBuilder<T, string?> rule) =>
        rule.MaximumLength(MaxReasonLength).Must(HasNoNul).WithMessage(NoNulMessage)
            .Must(IsWellFormed).WithMessage("'{PropertyName}' must be well-formed Unicode (no lone surrogate).");
}
