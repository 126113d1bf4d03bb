using System.Globalization;
using System.Reflection;
using FluentValidation;
using FluentValidation.Internal;
using FluentValidation.Validators;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Backchannel.Host.Http;

/// <summary>The command a request body becomes: its validator's rules are the body's limits in the OpenAPI document.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class ValidatedAsAttribute(Type command) : Attribute
{
    public Type Command { get; } = command;
}

/// <summary>
/// Writes the limits the validators enforce into the schemas of the bodies (<see cref="ValidatedAsAttribute"/>):
/// lengths, emptiness, ranges and patterns, read from the command's FluentValidation rules, so each fact is declared
/// once, in the validator. A rule FluentValidation cannot describe (a <c>Must</c> predicate) stays in the prose.
/// </summary>
internal sealed class ValidatorLimits : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is not null || schema.Properties is null) return Task.CompletedTask;
        var body = context.JsonTypeInfo.Type;
        if (body.GetCustomAttribute<ValidatedAsAttribute>() is not { } validatedAs) return Task.CompletedTask;
        var validatorType = typeof(IValidator<>).MakeGenericType(validatedAs.Command);
        if (context.ApplicationServices.GetService(validatorType) is not IValidator validator) return Task.CompletedTask;
        var descriptor = validator.CreateDescriptor();
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (!schema.Properties.TryGetValue(property.Name, out var found) || found is not OpenApiSchema target) continue;
            var member = CommandMember(validatedAs.Command, property.Name);
            if (member is null) continue;
            foreach (var rule in descriptor.GetRulesForMember(member))
            {
                var each = rule.GetType().IsGenericType && rule.GetType().GetGenericTypeDefinition().Name.StartsWith("CollectionPropertyRule", StringComparison.Ordinal);
                var applies = each ? target.Items as OpenApiSchema : target;
                if (applies is null) continue;
                foreach (var component in rule.Components) Apply(applies, component.Validator, isArray: !each && target.Type?.HasFlag(JsonSchemaType.Array) == true);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The command's property a body field becomes: the same name, or the one <see cref="FieldNames"/> aliases to it.</summary>
    private static string? CommandMember(Type command, string field)
    {
        var names = command.GetProperties().Select(p => p.Name).ToList();
        return names.FirstOrDefault(n => FieldNames.CamelCase(n) == field)
            ?? names.FirstOrDefault(n => FieldNames.AliasOf(FieldNames.CamelCase(n)) == field);
    }

    private static void Apply(OpenApiSchema schema, IPropertyValidator validator, bool isArray)
    {
        switch (validator)
        {
            case ILengthValidator length:
                if (length.Min > 0) schema.MinLength = Math.Max(schema.MinLength ?? 0, length.Min);
                if (length.Max > 0) schema.MaxLength = schema.MaxLength is { } max ? Math.Min(max, length.Max) : length.Max;
                break;
            case INotEmptyValidator:
                if (isArray) schema.MinItems = Math.Max(schema.MinItems ?? 0, 1);
                else if (schema.Type?.HasFlag(JsonSchemaType.String) == true) schema.MinLength = Math.Max(schema.MinLength ?? 0, 1);
                break;
            case IBetweenValidator between:
                schema.Minimum = Number(between.From);
                schema.Maximum = Number(between.To);
                break;
            case IRegularExpressionValidator pattern:
                schema.Pattern = pattern.Expression;
                break;
        }
    }

    private static string? Number(object? value) => value is null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
}
