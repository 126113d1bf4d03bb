using System.Reflection;
using System.Reflection.Emit;
using Backchannel.Host;
using Backchannel.Host.Operations;
using Backchannel.Specs.Support;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Shouldly;
using Wolverine;

namespace Backchannel.Specs.Startup;

/// <summary>
/// Where the host's handler code comes from (<see cref="CodeLoading"/>): a build that carries the code
/// <c>codegen write</c> generated from it (scripts/codegen.sh) loads only that outside Development, with no Roslyn;
/// every other build compiles at start and writes nothing beside the sources. scripts/codegen.sh --check starts such a build
/// in Production and sends a message through it.
/// </summary>
public sealed class CodeLoadingSpecs
{
    private static WebApplication Compose(string environment) => BackchannelHost.Build([], builder =>
    {
        builder.Environment.EnvironmentName = environment;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Backchannel"] = AppFixture.ConnectionString,
            ["Backchannel:Auth:SigningKey"] = AppFixture.SigningKey,
            ["Backchannel:Daemon"] = "Off",
        });
    });

    private sealed class Named(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Backchannel.Host";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }

    /// <summary>An assembly holding the type <c>codegen write</c> emits with every set of handlers, and nothing else.</summary>
    private static Assembly Pregenerated()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Pregenerated"), AssemblyBuilderAccess.Run);
        assembly.DefineDynamicModule("Pregenerated").DefineType(CodeLoading.HandlerRegistry, TypeAttributes.Public).CreateType();
        return assembly;
    }

    [Fact]
    public void an_ordinary_build_holds_no_pregenerated_code()
    {
        // A folder left by codegen write is compiled only with -p:BackchannelPregenerated=true (Backchannel.Host.csproj).
        CodeLoading.IsPregenerated(typeof(BackchannelHost).Assembly).ShouldBeFalse();
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Development")]
    public async Task without_pregenerated_code_the_host_compiles_at_start_and_writes_no_source(string environment)
    {
        await using var app = Compose(environment);

        var rules = app.Services.GetRequiredService<WolverineOptions>().CodeGeneration;

        rules.TypeLoadMode.ShouldBe(TypeLoadMode.Dynamic);
        rules.SourceCodeWritingEnabled.ShouldBeFalse();
    }

    [Fact]
    public void a_pregenerated_build_loads_only_its_own_code_outside_development()
    {
        var assembly = Pregenerated();

        CodeLoading.IsPregenerated(assembly).ShouldBeTrue();
        CodeLoading.Choose(new Named("Production"), assembly).ShouldBe(TypeLoadMode.Static);
        CodeLoading.Choose(new Named("Development"), assembly).ShouldBe(TypeLoadMode.Dynamic);
        CodeLoading.Choose(new Named("Staging"), assembly).ShouldBe(TypeLoadMode.Static);
        CodeLoading.Choose(new Named("Production"), typeof(BackchannelHost).Assembly).ShouldBe(TypeLoadMode.Dynamic);
    }
}
