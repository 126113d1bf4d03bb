using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Projections;
using Backchannel.Specs.Support;
using Npgsql;
using Shouldly;

namespace Backchannel.Specs.Projections;

/// <summary>
/// The store writes every object's keys in the order jsonb keeps them, so that PostgreSQL checks the order instead of
/// sorting: for every event and every view's document, what it writes and what jsonb gives back list the same keys in
/// the same order.
/// </summary>
public sealed class StoredJsonSpecs(AppFixture app) : AppSpec(app)
{
    private static readonly DateTimeOffset At = new(2026, 12, 6, 21, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> StoredTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in Types()) data.Add(type.FullName!);
        return data;
    }

    private static IEnumerable<Type> Types() =>
        EventNames.All.Keys.Concat(ViewRebuilder.All.SelectMany(ViewRebuilder.DocumentsOf)).Distinct().OrderBy(t => t.FullName, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(StoredTypes))]
    public async Task an_event_or_a_views_document_is_written_with_its_keys_in_jsonbs_order(string typeName)
    {
        var type = Types().Single(t => t.FullName == typeName);
        var json = Store.Options.Serializer().ToJson(Sample(type));

        var written = Keys(json);
        written.Count.ShouldBeGreaterThan(1, json);
        written.ShouldBe(Keys(await AsJsonbAsync(json)), $"{type.Name}: {json}");
    }

    [Fact]
    public async Task nested_objects_are_written_in_jsonbs_order_too()
    {
        var message = new MessageState("budi", 2, false, [new EmojiReactions("🔥", ["ayu", "cici"])], ImmutableHashSet.Create("cici"))
        {
            Id = MessageState.Key("chat-1", "m-2"), MessageId = "m-2", ConversationId = "chat-1", Text = "edited", ReplyTo = "m-1",
            SentAt = At, EditedAt = At.AddMinutes(1), Edits = 2,
        };
        var json = Store.Options.Serializer().ToJson(message);

        Keys(json).ShouldBe(Keys(await AsJsonbAsync(json)));
        Keys(json).ShouldContain("emoji");
    }

    /// <summary>An app's own document, in a store it shares with Backchannel: its JSON is the app's to order.</summary>
    public sealed record AppNote(string Zeta, string A, string Mm);

    [Fact]
    public void an_apps_own_types_keep_the_order_they_declare()
    {
        var json = Store.Options.Serializer().ToJson(new AppNote("z", "a", "m"));

        Keys(json).ShouldBe(["zeta", "a", "mm"]);
    }

    /// <summary>
    /// A value of <paramref name="type"/> with every field set to something plain (text, empty collections): enough for
    /// each of its properties to be written.
    /// </summary>
    private static object Sample(Type type)
    {
        var value = RuntimeHelpers.GetUninitializedObject(type);
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (Plain(field.FieldType) is { } plain) field.SetValue(value, plain);
        return value;
    }

    private static object? Plain(Type type)
    {
        if (type == typeof(string)) return "x";
        if (type == typeof(JsonElement)) return JsonDocument.Parse("{}").RootElement;
        if (type.IsArray) return Array.CreateInstance(type.GetElementType()!, 0);
        if (type.GetField("Empty", BindingFlags.Public | BindingFlags.Static) is { } empty) return empty.GetValue(null);
        if (type.IsInterface && type.IsGenericType) return Array.CreateInstance(type.GetGenericArguments()[0], 0);
        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is { } constructor && type.Namespace?.StartsWith("System.Collections", StringComparison.Ordinal) == true)
            return constructor.Invoke(null);
        return null;
    }

    /// <summary>Every property name in the document, depth first, in the order written.</summary>
    private static List<string> Keys(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var keys = new List<string>();
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.PropertyName) keys.Add(reader.GetString()!);
        return keys;
    }

    private async Task<string> AsJsonbAsync(string json)
    {
        await using var connection = (NpgsqlConnection)Store.Storage.Database.CreateConnection();
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select @json::jsonb::text", connection);
        command.Parameters.AddWithValue("json", json);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
