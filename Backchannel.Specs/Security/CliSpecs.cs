using System.Diagnostics;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>
/// The host's command line, run as an operator runs it (the built program in its own process, in Production, with
/// its configuration in the environment): it refuses clearly and never shows a secret (issue 10 #17, #18).
/// </summary>
public sealed class CliSpecs
{
    private const string Password = "Pw-7c1e9f3b2a-unlikely-anywhere-else";
    private const string SigningKey = "Key-4d8a61f0e2-of-at-least-thirty-two-bytes-long";

    private sealed record Run(int ExitCode, string Out, string Error)
    {
        public string All => Out + Error;
    }

    private static async Task<Run> Host(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Backchannel.Host.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        // Only what the spec gives: not the test host's own settings (its key, its database).
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("Backchannel__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(inherited);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Run(process.ExitCode, await output, await error);
    }

    private static Dictionary<string, string?> WithSecrets() => new()
    {
        ["ConnectionStrings__Backchannel"] = AppFixture.ConnectionString.Replace("Password=backchannel", $"Password={Password}"),
        ["Backchannel__Auth__SigningKey"] = SigningKey,
    };

    [Fact]
    public async Task the_token_command_mints_for_a_handle_and_refuses_an_invalid_one_clearly()
    {
        (await Host(WithSecrets(), "token", "budi")).ShouldSatisfyAllConditions(
            run => run.ExitCode.ShouldBe(0, run.All),
            run => run.Out.Trim().Split('\n')[^1].Split('.').Length.ShouldBe(3, run.All));

        foreach (var invalid in (string[])["B U D I", "budi\n", "a"])
        {
            var run = await Host(WithSecrets(), "token", invalid);
            run.ExitCode.ShouldNotBe(0, run.All);
            run.Error.ShouldContain("Not a handle", Case.Sensitive, run.All);
            run.Out.ShouldNotContain("eyJ", Case.Sensitive, "no token is printed");
            run.All.ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
        }
    }

    [Fact]
    public async Task the_token_command_without_a_signing_key_says_so_in_one_line()
    {
        var run = await Host(new Dictionary<string, string?> { ["ConnectionStrings__Backchannel"] = AppFixture.ConnectionString }, "token", "budi");
        run.ExitCode.ShouldNotBe(0, run.All);
        run.Error.Trim().ShouldStartWith("No signing key", Case.Sensitive, run.All);
        run.Error.Trim().Split('\n').Length.ShouldBe(1, run.All);
        run.All.ShouldNotContain("   at ", Case.Sensitive, "no stack trace");
        run.All.ShouldNotContain("Exception", Case.Sensitive, run.All);
    }

    [Fact]
    public async Task describe_shows_neither_the_signing_key_nor_the_database_password()
    {
        var run = await Host(WithSecrets(), "describe");
        run.ExitCode.ShouldBe(0, run.All);
        run.Out.ShouldContain("IConfiguration Preview");
        run.Out.ShouldContain("[redacted]");
        // The preview wraps long values across lines, so any piece of a secret counts.
        foreach (var secret in (string[])[Password, SigningKey])
            for (var i = 0; i + 8 <= secret.Length; i++)
                run.All.ShouldNotContain(secret.Substring(i, 8), Case.Sensitive, $"a piece of a secret: {secret.Substring(i, 8)}");
    }
}
