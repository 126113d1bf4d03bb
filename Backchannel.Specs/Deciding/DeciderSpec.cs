using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Reflection;
using Backchannel.Domain.Common;
using Shouldly;

namespace Backchannel.Specs.Deciding;

/// <summary>
/// Given(events) / When(decision) / Then(events) for pure decisions, with no database. State is folded from the
/// given events by the state type's public <c>Create</c> and <c>Apply</c> methods: the convention Marten uses.
/// </summary>
public static class Spec
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    public static readonly BackchannelSettings Settings = new();

    public static Given<TState> Given<TState>(params object[] events) where TState : class => new(Fold<TState>(events));

    /// <summary>A decision on several states at once (a promotion reads the room, the moderator and the target).</summary>
    public static When WhenDeciding(Func<IReadOnlyList<object>> decide) => new(decide);

    private static readonly ConcurrentDictionary<(Type, string, Type), MethodInfo> Methods = new();

    public static TState? Fold<TState>(IEnumerable<object> events) where TState : class
    {
        TState? state = null;
        foreach (var e in events)
        {
            state = state is null
                ? Holding((TState)Method(typeof(TState), "Create", e.GetType()).Invoke(null, [e])!)
                : (TState)Method(typeof(TState), "Apply", e.GetType()).Invoke(state, [e])!;
        }
        return state;
    }

    /// <summary>
    /// A conversation's state holds every message folded into it, as the state of a handler that loaded them all (a
    /// state as stored, which the fold starts from, holds none).
    /// </summary>
    private static TState Holding<TState>(TState state) =>
        state is Domain.Conversations.Conversation conversation ? (TState)(object)(conversation with { Messages = ImmutableDictionary<string, Domain.Conversations.MessageState>.Empty }) : state;

    private static MethodInfo Method(Type state, string name, Type @event) => Methods.GetOrAdd((state, name, @event), key =>
        key.Item1.GetMethod(key.Item2, BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance, [key.Item3])
        ?? throw new InvalidOperationException($"{key.Item1.Name} has no {key.Item2}({key.Item3.Name})."));
}

public sealed class Given<TState>(TState? state) where TState : class
{
    public TState? State { get; } = state;

    public When When(Func<TState?, IReadOnlyList<object>> decide) => new(() => decide(State));
}

public sealed class When(Func<IReadOnlyList<object>> decide)
{
    /// <summary>
    /// Compares events by type and JSON, not by record equality: an event's list (a room's hosts) is equal by content,
    /// the way it is stored, not by reference.
    /// </summary>
    public void Then(params object[] expected) => Stored(decide()).ShouldBe(Stored(expected));

    private static IReadOnlyList<string> Stored(IEnumerable<object> events) =>
        events.Select(e => $"{e.GetType().Name} {System.Text.Json.JsonSerializer.Serialize(e, e.GetType())}").ToList();

    public void ThenNothingHappened() => decide().ShouldBeEmpty();

    public void ThenFails(ViolationKind kind, string code)
    {
        var violation = Should.Throw<RuleViolation>(() => decide());
        (violation.Kind, violation.Code).ShouldBe((kind, code));
    }
}
