using System.Diagnostics;
using System.Diagnostics.Metrics;
using FluentValidation;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Configuration;
using Wolverine.Runtime.Handlers;

namespace Backchannel.Domain.Common;

/// <summary>
/// Backchannel's own traces and metrics, for what the frameworks' telemetry cannot tell an operator: which commands
/// were decided and which were refused by a rule, under which code; how many push streams are open; how far the push
/// feed trails the events. Plain <see cref="System.Diagnostics"/>: collect them with any listener, or with the
/// OpenTelemetry SDK through <c>AddSource(BackchannelTelemetry.SourceName)</c> and
/// <c>AddMeter(BackchannelTelemetry.MeterName)</c> (the host does; docs/operations.md#telemetry).
/// </summary>
public static class BackchannelTelemetry
{
    /// <summary>The name of Backchannel's <see cref="ActivitySource"/>.</summary>
    public const string SourceName = "Backchannel";

    /// <summary>The name of Backchannel's <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string MeterName = "Backchannel";

    /// <summary>Counter: commands handled to the end (whether or not they appended anything), tagged <c>command</c>.</summary>
    public const string CommandsDecided = "backchannel.commands.decided";

    /// <summary>
    /// Counter: commands refused by a rule (<see cref="RuleViolation"/>) or by their validator, tagged <c>command</c>
    /// and <c>code</c> (the refusal's code, <c>invalid_input</c> for a validator).
    /// </summary>
    public const string CommandsRefused = "backchannel.commands.refused";

    /// <summary>Up-down counter: push streams open on this node.</summary>
    public const string PushStreamsOpen = "backchannel.push.streams";

    /// <summary>Histogram, seconds: from an event's time to the moment this node handed its push item to the listeners' streams.</summary>
    public const string PushDelay = "backchannel.push.delay";

    /// <summary>The tag naming the command (its type's name, as <c>SendMessage</c>).</summary>
    public const string CommandTag = "command";

    /// <summary>The tag carrying a refusal's code.</summary>
    public const string CodeTag = "code";

    /// <summary>The span attribute set on the handling span of a refused command.</summary>
    public const string RefusalAttribute = "backchannel.refusal.code";

    /// <summary>The code counted for a command its validator refused.</summary>
    public const string InvalidInputCode = "invalid_input";

    /// <summary>
    /// The span of one hand-out of new push items to this node's streams (<see cref="PushHandOutSpan"/>, tagged with
    /// how many listeners and items), parent of its feed query; the frameworks see only an unparented query.
    /// </summary>
    public const string PushHandOutSpan = "backchannel.push.hand_out";

    /// <summary>Backchannel's spans (<see cref="PushHandOutSpan"/>); a refused command's handling span gets <see cref="RefusalAttribute"/>.</summary>
    public static ActivitySource Source { get; } = new(SourceName);

    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Decided = Meter.CreateCounter<long>(CommandsDecided, "{command}", "Commands handled to the end");
    private static readonly Counter<long> Refused = Meter.CreateCounter<long>(CommandsRefused, "{command}", "Commands refused by a rule or their validator");
    private static readonly UpDownCounter<long> Streams = Meter.CreateUpDownCounter<long>(PushStreamsOpen, "{stream}", "Push streams open on this node");
    private static readonly Histogram<double> Delay = Meter.CreateHistogram<double>(PushDelay, "s", "From an event to its push item handed to the streams");

    /// <summary>Counts a command handled to the end.</summary>
    public static void CommandDecided(string command) => Decided.Add(1, new KeyValuePair<string, object?>(CommandTag, command));

    /// <summary>
    /// Counts <paramref name="exception"/> against <paramref name="command"/> when it is a refusal, and marks the
    /// current span with its code. Returns false always: it is called from an exception filter, so the exception flows on
    /// untouched.
    /// </summary>
    public static bool CommandFailed(string command, Exception exception)
    {
        var code = exception switch
        {
            RuleViolation rule => rule.Code,
            ValidationException => InvalidInputCode,
            _ => null,
        };
        if (code is null) return false;
        Refused.Add(1, new KeyValuePair<string, object?>(CommandTag, command), new KeyValuePair<string, object?>(CodeTag, code));
        Activity.Current?.SetTag(RefusalAttribute, code);
        return false;
    }

    /// <summary>Counts a push stream opened (+1) or closed (-1) on this node.</summary>
    public static void PushStreamChanged(int delta) => Streams.Add(delta);

    /// <summary>Records how long after its event a push item reached the streams.</summary>
    public static void PushDelivered(TimeSpan delay) => Delay.Record(Math.Max(0, delay.TotalSeconds));
}

/// <summary>
/// Wraps every Backchannel handler so that <see cref="BackchannelTelemetry"/> counts it decided or refused, however the
/// command arrives (HTTP or <c>IMessageBus</c>).
/// </summary>
public sealed class CommandTelemetryPolicy : IHandlerPolicy
{
    /// <inheritdoc />
    public void Apply(IReadOnlyList<HandlerChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.MessageType.Assembly == typeof(CommandTelemetryPolicy).Assembly))
            chain.Middleware.Insert(0, new CommandTelemetryFrame(chain.MessageType.Name));
    }
}

/// <summary>
/// <c>try { the rest of the handler; decided } catch when (refused) { }</c>: the filter counts and never catches, so
/// the exception, its stack and Wolverine's error policies are untouched.
/// </summary>
internal sealed class CommandTelemetryFrame(string command) : SyncFrame
{
    public override void GenerateCode(GeneratedMethod method, ISourceWriter writer)
    {
        var name = $"\"{command}\"";
        writer.Write("BLOCK:try");
        Next?.GenerateCode(method, writer);
        writer.Write($"{typeof(BackchannelTelemetry).FullName}.{nameof(BackchannelTelemetry.CommandDecided)}({name});");
        writer.FinishBlock();
        writer.Write($"BLOCK:catch (System.Exception telemetryException) when ({typeof(BackchannelTelemetry).FullName}.{nameof(BackchannelTelemetry.CommandFailed)}({name}, telemetryException))");
        writer.Write("throw;");
        writer.FinishBlock();
    }
}
