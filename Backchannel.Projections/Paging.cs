using System.Globalization;
using System.Text;
using FluentValidation;
using FluentValidation.Results;

namespace Backchannel.Projections;

/// <summary>One page of a list and the cursor of the page after it (null on the last page).</summary>
/// <param name="Items">The entries of this page, in the list's order.</param>
/// <param name="Next">Where the list goes on: give it back as <c>after</c>; null when nothing follows.</param>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// The page sizes and cursors of every list: a page holds <see cref="DefaultLimit"/> entries unless told, at most
/// <see cref="MaxLimit"/>; a larger limit is refused rather than cut. A cursor names a position in one list (the last
/// entry's sort key), never whose list it is: the query still filters by the caller, so a cursor forged or taken from
/// someone else reads only what the caller may read.
/// </summary>
public static class Paging
{
    /// <summary>The entries of a page when the caller gives no limit.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most entries one page holds.</summary>
    public const int MaxLimit = 200;

    /// <summary>The page size asked for: <see cref="DefaultLimit"/> when null, else 1 to <see cref="MaxLimit"/> (a 400 naming <c>limit</c> otherwise).</summary>
    public static int Limit(int? limit) => limit switch
    {
        null => DefaultLimit,
        >= 1 and <= MaxLimit => limit.Value,
        _ => throw Invalid("limit", $"limit must be between 1 and {MaxLimit}."),
    };

    /// <summary>A cursor of list <paramref name="list"/> at the position <paramref name="key"/>, as an opaque URL-safe token.</summary>
    internal static string Cursor(string list, params string[] key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join('|', [list, .. key]))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The position in a cursor of list <paramref name="list"/>, of <paramref name="parts"/> parts; a 400 naming <c>after</c> for anything else.</summary>
    internal static string[] Position(string list, string after, int parts)
    {
        try
        {
            var base64 = after.Replace('-', '+').Replace('_', '/');
            base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
            var fields = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|');
            if (fields.Length == parts + 1 && fields[0] == list && fields.Skip(1).All(f => f.Length > 0)) return fields[1..];
        }
        catch (FormatException)
        {
            // Falls through to the refusal below.
        }
        throw BadCursor();
    }

    internal static long Sequence(string list, string after) =>
        long.TryParse(Position(list, after, 1)[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : throw BadCursor();

    internal static DateTimeOffset Time(string text) =>
        DateTimeOffset.TryParseExact(text, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) ? at : throw BadCursor();

    internal static string Time(DateTimeOffset at) => at.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    /// <summary>The first <paramref name="limit"/> of what was read (one more than a page) and the cursor after it.</summary>
    internal static Page<T> Of<T>(IReadOnlyList<T> read, int limit, Func<T, string> cursor) =>
        read.Count > limit ? new Page<T>(read.Take(limit).ToList(), cursor(read[limit - 1])) : new Page<T>(read, null);

    internal static ValidationException BadCursor() => Invalid("after", "after must be a cursor from an earlier page of the same list.");

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
