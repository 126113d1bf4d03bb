using System.Text.Json;
using Backchannel.Domain.Conversations;
using Backchannel.Projections.Privacy;
using Backchannel.Specs.Support;
using Marten;
using Shouldly;

namespace Backchannel.Specs.Privacy;

/// <summary><c>GET /me/export</c>: the caller's own words and places, nobody else's private data, written as it is read.</summary>
public sealed class ExportSpecs(AppFixture app) : AppSpec(app)
{
    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public async Task the_export_holds_what_the_user_wrote_with_each_edit_their_graph_and_where_they_are()
    {
        await As("budi").Follow("ayu");
        await As("ayu").Follow("citra");
        await As("ayu").Post("/blocks/dewi");
        await As("ayu").Put("/me/policy", new { policy = "following" });
        var direct = (await As("ayu").StartConversation("ayu opening", ["budi"])).ConversationId;
        var message = await As("ayu").Say(direct, "ayu first draft");
        await As("ayu").Put($"/conversations/{direct}/messages/{message}", new { text = "ayu second draft" });
        var room = await As("ayu").StartRoom("ayu room");
        var budisRoom = await As("budi").StartRoom("budi room");
        await As("ayu").Join(budisRoom.RoomId);
        await As("ayu").Ask(budisRoom.RoomId, "ayu asks");
        await As("ayu").Post("/thanks", new { to = "budi", roomId = budisRoom.RoomId, text = "ayu thanks" }, 201);
        var planned = await As("ayu").ScheduleEvent("ayu event", DateTimeOffset.UtcNow.AddDays(1), "budi");

        var response = await As("ayu").Get("/me/export");
        var export = Parse(await response.ReadAsTextAsync());

        response.Context.Response.ContentType!.ShouldStartWith("application/json");
        export.GetProperty("userId").GetString().ShouldBe("ayu");
        export.GetProperty("policy").GetString().ShouldBe("following");
        export.GetProperty("following").EnumerateArray().Select(e => e.GetString()).ShouldBe(["citra"]);
        export.GetProperty("blocked").EnumerateArray().Select(e => e.GetString()).ShouldBe(["dewi"]);
        var written = export.GetProperty("written").EnumerateArray()
            .Select(e => (e.GetProperty("type").GetString(), Text(e.GetProperty("data")))).ToList();
        written.ShouldBe([
            ("message_sent", "ayu opening"), ("message_sent", "ayu first draft"), ("message_edited", "ayu second draft"),
            ("room_started", "ayu room"), ("question_asked", "ayu asks"), ("thanks_sent", "ayu thanks"), ("event_scheduled", "ayu event"),
        ]);
        var conversations = ConversationsOf(export).ToList();
        conversations.Count.ShouldBe(4, "the direct one, the stage, the planning one and the thank-you note's");
        conversations.ShouldBeUnique();
        conversations.ShouldContain(direct);
        conversations.ShouldContain(room.StageConversationId);
        conversations.ShouldContain(planned.PlanningConversationId);
        export.GetProperty("rooms").EnumerateArray().Select(r => (r.GetProperty("roomId").GetString(), r.GetProperty("role").GetString()))
            .ShouldBe([(room.RoomId, "moderator"), (budisRoom.RoomId, "listener")], ignoreOrder: true);
        export.GetProperty("events").EnumerateArray().Select(e => (e.GetProperty("eventId").GetString(), e.GetProperty("role").GetString()))
            .ShouldBe([(planned.EventId, "host")]);
    }

    private static IEnumerable<string?> ConversationsOf(JsonElement export) =>
        export.GetProperty("conversations").EnumerateArray().Select(c => c.GetProperty("conversationId").GetString());

    private static string? Text(JsonElement data) =>
        data.TryGetProperty("text", out var text) ? text.GetString() : data.TryGetProperty("title", out var title) ? title.GetString() : null;

    [Fact]
    public async Task the_export_holds_nothing_the_others_wrote_nor_what_a_declined_conversation_now_hides()
    {
        await As("budi").Follow("ayu");
        var shared = (await As("ayu").StartConversation("ayu here", ["budi"])).ConversationId;
        await As("budi").Say(shared, "budi-private-words");
        await As("budi").Post("/blocks/eka");
        var declined = (await As("citra").StartConversation("citra-private-opening", ["ayu", "budi"])).ConversationId;
        await As("citra").Put($"/conversations/{declined}/title", new { title = "citra-private-title" });
        await As("ayu").Post($"/conversations/{declined}/decline");

        var text = await (await As("ayu").Get("/me/export")).ReadAsTextAsync();

        text.ShouldNotContain("budi-private-words");
        text.ShouldNotContain("citra-private");
        text.ShouldNotContain("eka");
        var gone = ConversationsOf(Parse(text)).ToList();
        gone.ShouldContain(declined);
        var entry = Parse(text).GetProperty("conversations").EnumerateArray().Single(c => c.GetProperty("conversationId").GetString() == declined);
        entry.GetProperty("yourStatus").GetString().ShouldBe("declined");
        entry.GetProperty("members").ValueKind.ShouldBe(JsonValueKind.Null, "what the decliner may no longer see stays hidden");
        entry.GetProperty("title").ValueKind.ShouldBe(JsonValueKind.Null);
        await Host.Scenario(s =>
        {
            s.Get.Url("/me/export");
            s.StatusCodeShouldBe(401);
        });
    }

    [Fact]
    public async Task a_long_history_is_written_while_it_is_read_in_pages_through_a_bounded_buffer()
    {
        await As("budi").Follow("ayu");
        var id = (await As("ayu").StartConversation("start", ["budi"])).ConversationId;
        var sequence = (await As("budi").Thread(id)).Messages.Max(m => m.Sequence);
        var text = new string('x', 1000);
        await using (var session = Store.LightweightSession())
        {
            for (var i = 1; i <= 400; i++)
                session.Events.Append(id, new MessageSent(id, $"bulk-{i}", sequence + i, "ayu", $"{text} {i}", null, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        // Written by ayu when the first bytes of the export leave: an export that read the whole history before it
        // wrote would not hold it.
        var output = new RecordingStream(async () =>
        {
            await using var session = Store.LightweightSession();
            session.Events.Append(id, new MessageSent(id, "written-meanwhile", sequence + 401, "ayu", "written meanwhile", null, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        });

        await Store.WriteExportAsync("ayu", output, DateTimeOffset.UtcNow, pageSize: 50);

        var export = Parse(System.Text.Encoding.UTF8.GetString(output.Written.ToArray()));
        var written = export.GetProperty("written").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("messageId").GetString()).ToList();
        written.Count.ShouldBe(402);
        written.Last().ShouldBe("written-meanwhile");
        output.Written.Length.ShouldBeGreaterThan(20 * Exporting.FlushAt);
        output.LargestWrite.ShouldBeLessThan(Exporting.FlushAt + 4 * 1024, "the writer never holds more than a little past its flush mark");
        output.Writes.ShouldBeGreaterThan(20);
    }

    private sealed class RecordingStream(Func<Task> onFirstWrite) : Stream
    {
        public MemoryStream Written { get; } = new();
        public int Writes { get; private set; }
        public int LargestWrite { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Writes++ == 0) await onFirstWrite();
            LargestWrite = Math.Max(LargestWrite, buffer.Length);
            Written.Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Writes are asynchronous.");
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written.Length;
        public override long Position { get => Written.Length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
