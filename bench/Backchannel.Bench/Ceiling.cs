using System.Diagnostics;
using System.Text.RegularExpressions;
using Npgsql;

namespace Backchannel.Bench;

/// <summary>
/// The database's ceiling on this machine, now: pgbench, with one transaction that upserts a stream row and inserts one
/// jsonb event row (bench/pgbench/append.sql), from as many clients as the benchmark uses.
/// </summary>
public static partial class Ceiling
{
    public static async Task<double> MeasureAsync(int clients, int seconds)
    {
        var connection = new NpgsqlConnectionStringBuilder(BenchHost.Connection);
        var scripts = Path.Combine(AppContext.BaseDirectory, "pgbench");
        await RunAsync("psql", $"-q -v ON_ERROR_STOP=1 -f {scripts}/schema.sql", connection);
        var output = await RunAsync("pgbench", $"-n -c {clients} -j {Math.Min(clients, Environment.ProcessorCount)} -T {seconds} -f {scripts}/append.sql", connection);
        var tps = double.Parse(Tps().Match(output).Groups["tps"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"ceiling: pgbench, {clients} clients, {seconds} s: {tps:F0} transactions/s");
        return tps;
    }

    private static async Task<string> RunAsync(string program, string arguments, NpgsqlConnectionStringBuilder connection)
    {
        var start = new ProcessStartInfo(program, $"-h {connection.Host} -p {connection.Port} -U {connection.Username} {arguments} {connection.Database}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} failed: {await errors}");
        return await output;
    }

    [GeneratedRegex(@"tps = (?<tps>[0-9.]+)")]
    private static partial Regex Tps();
}
