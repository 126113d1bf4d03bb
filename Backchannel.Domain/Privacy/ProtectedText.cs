using System.Linq.Expressions;
using System.Text.Json;
using Marten;

namespace Backchannel.Domain.Privacy;

/// <summary>
/// The free text one event type carries, who wrote it, and whom it is about: what an erasure of either masks in the
/// stored event (with Marten's protected-information masking). A writer's export holds it; the subject's never does
/// (a report's reason is the reporter's, and the reported user must not learn of it). Each capability declares its
/// own beside its events; <see cref="ProtectedInformation.All"/> gathers them and registers them in one place.
/// </summary>
public sealed class ProtectedText
{
    /// <summary>What an erased text reads as, in the events and in every view built from them.</summary>
    public const string Erased = "[erased]";

    private ProtectedText(Type eventType, string writerField, Func<object, string?> writtenBy, string? subjectField,
        Func<object, string?> about, Func<object, object> mask, Action<StoreOptions> register)
    {
        EventType = eventType;
        WriterField = writerField;
        WrittenBy = writtenBy;
        SubjectField = subjectField;
        About = about;
        Mask = mask;
        Register = register;
    }

    /// <summary>The event type.</summary>
    public Type EventType { get; }

    /// <summary>The stored JSON property naming the writer (camel case, as the store serializes).</summary>
    public string WriterField { get; }

    /// <summary>Who wrote the event's text.</summary>
    public Func<object, string?> WrittenBy { get; }

    /// <summary>
    /// The stored JSON property naming the user the text is about (a reported or suspended user, someone moved to the
    /// audience), whose erasure masks it too: such text may name or quote them. Null when it is about nobody.
    /// </summary>
    public string? SubjectField { get; }

    /// <summary>Whom the event's text is about, if anyone.</summary>
    public Func<object, string?> About { get; }

    /// <summary>Whether erasing <paramref name="userId"/> masks this event's text: they wrote it, or it is about them.</summary>
    public bool Concerns(object e, string userId) => WrittenBy(e) == userId || About(e) == userId;

    /// <summary>The event with its text masked; masking a masked event gives it back unchanged.</summary>
    public Func<object, object> Mask { get; }

    /// <summary>Registers the masking rule with the store.</summary>
    public Action<StoreOptions> Register { get; }

    /// <summary>
    /// The text of <typeparamref name="TEvent"/> written by the handle <paramref name="writtenBy"/> names, masked by
    /// <paramref name="mask"/> (required text becomes <see cref="Erased"/>, an optional reason null); also masked when
    /// the user <paramref name="about"/> names is erased.
    /// </summary>
    public static ProtectedText Of<TEvent>(Expression<Func<TEvent, string>> writtenBy, Func<TEvent, TEvent> mask,
        Expression<Func<TEvent, string>>? about = null) where TEvent : class
    {
        var writer = writtenBy.Compile();
        var subject = about?.Compile();
        return new ProtectedText(typeof(TEvent), FieldOf(writtenBy, nameof(writtenBy)), e => writer((TEvent)e),
            about is null ? null : FieldOf(about, nameof(about)), e => subject?.Invoke((TEvent)e),
            e => mask((TEvent)e), opts => opts.Events.AddMaskingRuleForProtectedInformation(mask));
    }

    private static string FieldOf<TEvent>(Expression<Func<TEvent, string>> property, string name) =>
        property.Body is MemberExpression member
            ? JsonNamingPolicy.CamelCase.ConvertName(member.Member.Name)
            : throw new ArgumentException("The user must be a property of the event.", name);
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
