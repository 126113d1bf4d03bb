using Backchannel.Domain.Common;
using Backchannel.Host;
using Backchannel.Specs.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Startup;

/// <summary>
/// Backchannel's own store prepares the statements it runs again and again (PostgreSQL then skips parsing and planning
/// them), unless the operator's connection string says otherwise.
/// </summary>
public sealed class StoreConnectionSpecs
{
    private static async Task<(long Prepared, string PlanCacheMode)> PreparedAfterRepeatingAsync(string connectionString)
    {
        await using var app = BackchannelHost.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Backchannel"] = connectionString,
            ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
            ["Backchannel:Daemon"] = "Off",
        }));
        var store = app.Services.GetRequiredService<IBackchannelStore>();
        await using var connection = (NpgsqlConnection)store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        var marker = $"repeated_{Guid.NewGuid():N}";
        for (var i = 0; i < 8; i++)
        {
            await using var repeated = new NpgsqlCommand($"select @n + 1 as {marker}", connection) { Parameters = { new("n", i) } };
            await repeated.ExecuteScalarAsync();
        }
        await using var count = new NpgsqlCommand("select count(*) from pg_prepared_statements where statement like '%' || @marker || '%'", connection)
        {
            Parameters = { new("marker", marker) },
        };
        var prepared = (long)(await count.ExecuteScalarAsync())!;
        await using var mode = new NpgsqlCommand("show plan_cache_mode", connection);
        return (prepared, (string)(await mode.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task the_store_prepares_a_statement_it_runs_again_and_again() =>
        (await PreparedAfterRepeatingAsync(AppFixture.ConnectionString)).Prepared.ShouldBe(1);

    /// <summary>A generic plan would read a thread through the sequence index of every conversation: slower as the store grows.</summary>
    [Fact]
    public async Task every_execution_of_a_prepared_statement_is_planned_for_its_own_values() =>
        (await PreparedAfterRepeatingAsync(AppFixture.ConnectionString)).PlanCacheMode.ShouldBe("force_custom_plan");

    [Theory]
    [InlineData("Max Auto Prepare=0")]
    [InlineData("MaxAutoPrepare=0")]
    public async Task an_operator_who_turns_preparation_off_in_the_connection_string_keeps_it_off(string setting) =>
        (await PreparedAfterRepeatingAsync($"{AppFixture.ConnectionString};{setting}")).Prepared.ShouldBe(0);
}
