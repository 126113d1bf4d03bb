using System.Text;
using System.Text.RegularExpressions;

namespace Backchannel.Host.Cli;

/// <summary>
/// Where the command line writes. A scripted command (<c>token</c>, <c>audit-export</c>, <c>rebuild</c>) writes only
/// its output on standard output: JasperFx's "Searching ... for commands" before it starts goes nowhere, and whatever
/// else the frameworks print once it runs (Marten's daemon warnings) goes to standard error. Whatever reaches a stream
/// that is not a terminal loses the console markup the frameworks write (<c>[green]Success![/]</c>).
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

    private static readonly Switch Chatter = new();
    private static TextWriter? originalOut;
    private static TextWriter? originalError;

    /// <summary>Routes the console for the command in <paramref name="args"/>; call before the command runner.</summary>
    public static void Install(string[] args)
    {
        // A second run in one process (the specs run commands in process) must wrap the real streams, not its own
        // switch: wrapping the switch in itself would loop forever on the first write.
        originalOut ??= Console.Out;
        originalError ??= Console.Error;
        var stdout = originalOut;
        var error = Console.IsErrorRedirected ? new MarkupStripping(originalError) : originalError;
        var scripted = args.Length > 0 && Scripted.Contains(args[0], StringComparer.OrdinalIgnoreCase);
        Out = stdout;
        Chatter.Target = scripted ? TextWriter.Null : Console.IsOutputRedirected ? new MarkupStripping(stdout) : stdout;
        Console.SetOut(Chatter);
        Console.SetError(error);
    }

    /// <summary>A scripted command has started: from here on, what the frameworks print goes to standard error.</summary>
    public static void CommandStarted() => Chatter.Target = Console.Error;

    /// <summary>A writer whose target can change after the frameworks have taken hold of it.</summary>
    private sealed class Switch : TextWriter
    {
        public TextWriter Target { get; set; } = TextWriter.Null;

        public override Encoding Encoding => Target.Encoding;

        public override void Write(char value) => Target.Write(value);

        public override void Write(string? value) => Target.Write(value);

        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);

        public override void Flush() => Target.Flush();
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
