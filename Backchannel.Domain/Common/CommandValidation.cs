using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Configuration;
using Wolverine.Runtime.Handlers;

namespace Backchannel.Domain.Common;

/// <summary>
/// Runs the command's FluentValidation validator before its handler, for every message type that has one, however
/// the command arrives (HTTP or <c>IMessageBus</c>). Invalid input throws <see cref="ValidationException"/> before
/// anything is loaded or appended. (WolverineFx.FluentValidation is not available here; this is its core.)
/// </summary>
internal sealed class CommandValidationPolicy : IHandlerPolicy
{
    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => container.HasRegistrationFor(typeof(IValidator<>).MakeGenericType(c.MessageType))))
        {
            var validate = typeof(CommandValidation).GetMethod(nameof(CommandValidation.ValidateAsync))!
                .MakeGenericMethod(chain.MessageType);
            chain.Middleware.Add(new MethodCall(typeof(CommandValidation), validate));
        }
    }
}

/// <summary>The validation step Wolverine runs before each command handler. Public because Wolverine's generated handler code calls it.</summary>
public static class CommandValidation
{
    /// <summary>Runs <paramref name="validator"/> on <paramref name="command"/> and throws a <see cref="ValidationException"/> naming each invalid field, so the handler never sees a malformed command.</summary>
    public static async Task ValidateAsync<TCommand>(IValidator<TCommand> validator, TCommand command, CancellationToken cancellation)
    {
        var result = await validator.ValidateAsync(command, cancellation);
        if (!result.IsValid) throw new ValidationException(result.Errors);
    }
}
