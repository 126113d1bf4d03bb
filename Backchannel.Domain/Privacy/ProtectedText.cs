using System.Linq.Expressions;
using System.Text.Json;
using Marten;

namespace Backchannel.Domain.Privacy;

/// <summary>
/// The free text one event type carries and who wrote it: what an erasure of that writer masks in the stored event
/// (with Marten's protected-information masking), and what their export holds. Each capability declares its own
/// beside its events; <see cref="ProtectedInformation.All"/> gathers them and registers them in one place.
/// </summary>
public sealed class ProtectedText
{
    /// <summary>What an erased text reads as, in the events and in every view built from them.</summary>
    public const string Erased = "[erased]";

    private ProtectedText(Type eventType, string writerField, Func<object, string?> writtenBy, Func<object, object> mask,
        Action<StoreOptions> register)
    {
        EventType = eventType;
        WriterField = writerField;
        WrittenBy = writtenBy;
        Mask = mask;
        Register = register;
    }

    /// <summary>The event type.</summary>
    public Type EventType { get; }

    /// <summary>The stored JSON property naming the writer (camel case, as the store serializes).</summary>
    public string WriterField { get; }

    /// <summary>Who wrote the event's text.</summary>
    public Func<object, string?> WrittenBy { get; }

    /// <summary>The event with its text masked; masking a masked event gives it back unchanged.</summary>
    public Func<object, object> Mask { get; }

    /// <summary>Registers the masking rule with the store.</summary>
    public Action<StoreOptions> Register { get; }

    /// <summary>
    /// The text of <typeparamref name="TEvent"/> written by the handle <paramref name="writtenBy"/> names, masked by
    /// <paramref name="mask"/> (required text becomes <see cref="Erased"/>, an optional reason null).
    /// </summary>
    public static ProtectedText Of<TEvent>(Expression<Func<TEvent, string>> writtenBy, Func<TEvent, TEvent> mask) where TEvent : class
    {
        var member = writtenBy.Body as MemberExpression
                     ?? throw new ArgumentException("The writer must be a property of the event.", nameof(writtenBy));
        var writer = writtenBy.Compile();
        return new ProtectedText(typeof(TEvent), JsonNamingPolicy.CamelCase.ConvertName(member.Member.Name),
            e => writer((TEvent)e), e => mask((TEvent)e),
            opts => opts.Events.AddMaskingRuleForProtectedInformation(mask));
    }
}

/// <summary>Every event type that carries free text, from each capability's own list.</summary>
public static class ProtectedInformation
{
    /// <summary>All of them; a new event with free text adds its rule to its capability's list.</summary>
    public static readonly IReadOnlyList<ProtectedText> All =
    [
        .. Conversations.ConversationProtectedText.Rules,
        .. Requests.RequestProtectedText.Rules,
        .. Rooms.RoomProtectedText.Rules,
        .. Questions.QuestionProtectedText.Rules,
        .. Planning.PlanningProtectedText.Rules,
        .. Safety.SafetyProtectedText.Rules,
    ];

    /// <summary>The rule of an event type, if it carries free text.</summary>
    public static readonly IReadOnlyDictionary<Type, ProtectedText> ByType = All.ToDictionary(r => r.EventType);

    /// <summary>Registers every masking rule with the store.</summary>
    public static void AddMaskingRules(StoreOptions opts)
    {
        foreach (var rule in All) rule.Register(opts);
    }
}
