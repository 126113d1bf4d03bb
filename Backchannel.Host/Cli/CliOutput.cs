using System.Text;
using System.Text.RegularExpressions;

namespace Backchannel.Host.Cli;

/// <summary>
/// Where the command line writes. A scripted command (<c>token</c>, <c>audit-export</c>, <c>rebuild</c>) writes only
/// its output on standard output: everything else the frameworks print (JasperFx's "Searching ... for commands", Marten's
/// daemon warnings) goes to standard error. Whatever reaches a stream that is not a terminal loses the console markup
/// the frameworks write (<c>[green]Success![/]</c>).
/// </summary>
public static partial class CliOutput
{
    private static readonly string[] Scripted = ["token", "audit-export", "rebuild"];

    /// <summary>The command's own output: standard output.</summary>
    public static TextWriter Out { get; private set; } = Console.Out;

    /// <summary>Whether standard output is a terminal (a progress bar) or redirected (plain lines).</summary>
    public static bool IsTerminal => !Console.IsOutputRedirected;

    /// <summary>An exit code a command chose, beside JasperFx's 0 (done) and 1 (failed).</summary>
    public static int? ExitCode { get; set; }

    /// <summary>Routes the console for the command in <paramref name="args"/>; call before the command runner.</summary>
    public static void Install(string[] args)
    {
        var stdout = Console.Out;
        var error = Console.IsErrorRedirected ? new MarkupStripping(Console.Error) : Console.Error;
        var scripted = args.Length > 0 && Scripted.Contains(args[0], StringComparer.OrdinalIgnoreCase);
        Out = stdout;
        Console.SetOut(scripted ? error : Console.IsOutputRedirected ? new MarkupStripping(stdout) : stdout);
        Console.SetError(error);
    }

    /// <summary>Spectre's markup of a colour or a style, and its closing tag; not other bracketed words (<c>[redacted]</c>).</summary>
    [GeneratedRegex(@"\[(/|(?:bold|dim|italic|underline|invert|strikethrough|)(?:\s*(?:default|black|white|grey|gray|red|green|yellow|blue|purple|magenta|cyan|aqua|lime|maroon|navy|olive|silver|teal|fuchsia|orange\d*|darkred|darkgreen|darkblue|darkcyan|darkmagenta|darkorange|gold\d*|bold|dim|italic|underline)(?:\s+on\s+\w+)?)+)\]", RegexOptions.IgnoreCase)]
    internal static partial Regex Markup();

    /// <summary>Strips <see cref="Markup"/> from what is written through it (the frameworks write a tag and its text in one piece).</summary>
    internal sealed class MarkupStripping(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value) => inner.Write(value);

        public override void Write(string? value)
        {
            if (value is not null) inner.Write(Markup().Replace(value, ""));
        }

        public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

        public override void Flush() => inner.Flush();
    }
}
