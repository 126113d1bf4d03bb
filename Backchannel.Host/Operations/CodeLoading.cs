using System.Reflection;
using JasperFx.CodeGeneration;

namespace Backchannel.Host.Operations;

/// <summary>
/// Where the host's Wolverine handler code comes from. A build made by <c>scripts/publish.sh</c> (or
/// <c>scripts/codegen.sh</c>) carries the code that <c>codegen write</c> generated from that same build, compiled into
/// this assembly; every environment but Development (Production, a staging copy of it) then loads only that
/// (<see cref="TypeLoadMode.Static"/>): no Roslyn compilation in the process, which was most of the host's memory
/// (docs/benchmarks.md, "Memory"), and a handler whose code is missing fails loudly instead of compiling at run time. Every other build, and Development always,
/// generates and compiles at start (<see cref="TypeLoadMode.Dynamic"/>) and writes nothing beside the sources: a
/// generated file left in the source tree would go stale with the next change to a handler.
/// </summary>
public static class CodeLoading
{
    /// <summary>The type <c>codegen write</c> always emits with the handlers: its presence marks a pre-generated build.</summary>
    public const string HandlerRegistry = "Internal.Generated.WolverineHandlers.GeneratedHandlerRegistry";

    /// <summary>Whether <paramref name="assembly"/> was compiled with the code <c>codegen write</c> generated.</summary>
    public static bool IsPregenerated(Assembly assembly) => assembly.GetType(HandlerRegistry, throwOnError: false) is not null;

    /// <summary>Static when the code is there, outside Development; Dynamic otherwise.</summary>
    public static TypeLoadMode Choose(IHostEnvironment environment, Assembly assembly) =>
        !environment.IsDevelopment() && IsPregenerated(assembly) ? TypeLoadMode.Static : TypeLoadMode.Dynamic;

    /// <summary>Sets the load mode for <paramref name="assembly"/>, Wolverine's application assembly, and never writes source.</summary>
    public static void Apply(GenerationRules rules, IHostEnvironment environment, Assembly assembly)
    {
        rules.TypeLoadMode = Choose(environment, assembly);
        rules.SourceCodeWritingEnabled = false;
    }
}
