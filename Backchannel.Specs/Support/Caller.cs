using Alba;
using Backchannel.Host.Http;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Rooms;

namespace Backchannel.Specs.Support;

/// <summary>An authenticated user of the HTTP API: one method per kind of request, asserting the status.</summary>
public sealed class Caller(IAlbaHost host, string? token)
{
    public Task<IScenarioResult> Post(string url, object? body = null, int status = 204) =>
        Send(s =>
        {
            if (body is null) s.Post.Url(url);
            else s.Post.Json(body).ToUrl(url);
        }, status);

    public Task<IScenarioResult> Put(string url, object body, int status = 204) => Send(s => s.Put.Json(body).ToUrl(url), status);

    public Task<IScenarioResult> Delete(string url, int status = 204) => Send(s => s.Delete.Url(url), status);

    public Task<IScenarioResult> Get(string url, int status = 200) => Send(s => s.Get.Url(url), status);

    /// <summary>A GET whatever its status: for probing what an observer sees, refusals included.</summary>
    public Task<IScenarioResult> Probe(string url) => host.Scenario(s =>
    {
        s.Get.Url(url);
        if (token is not null) s.WithRequestHeader("Authorization", $"Bearer {token}");
        s.IgnoreStatusCode();
    });

    /// <summary>Expects a ProblemDetails refusal and returns it.</summary>
    public async Task<Microsoft.AspNetCore.Mvc.ProblemDetails> Refused(Func<Caller, Task<IScenarioResult>> request) =>
        (await (await request(this)).ReadAsJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>())!;

    public async Task<T> Get<T>(string url) => (await (await Get(url)).ReadAsJsonAsync<T>())!;

    /// <summary>Starts a conversation and returns its id.</summary>
    public async Task<string> StartConversation(params string[] to) => (await StartConversation("hello", to)).ConversationId;

    public async Task<ConversationCreated> StartConversation(string text, string[] to, string? roomId = null)
    {
        var result = await Post("/conversations", new { to, text, roomId }, 201);
        return (await result.ReadAsJsonAsync<ConversationCreated>())!;
    }

    public async Task<string> Say(string conversationId, string text = "hi there", string? replyTo = null)
    {
        var result = await Post($"/conversations/{conversationId}/messages", new { text, replyTo }, 201);
        return (await result.ReadAsJsonAsync<MessageCreated>())!.MessageId;
    }

    public Task Follow(string userId) => Post($"/follows/{userId}");

    public Task<IReadOnlyList<InboxItem>> Inbox() => Items<InboxItem>("/inbox");

    public Task<IReadOnlyList<RequestItem>> Requests() => Items<RequestItem>("/inbox/requests");

    /// <summary>The entries of the first page of a list (a page holds them all in these specs unless they say otherwise).</summary>
    public async Task<IReadOnlyList<T>> Items<T>(string url) => (await Get<Backchannel.Projections.Page<T>>(url)).Items;

    public async Task<RoomCreated> StartRoom(string title = "Morning room", string? eventId = null) =>
        (await (await Post("/rooms", new { title, eventId }, 201)).ReadAsJsonAsync<RoomCreated>())!;

    public Task Join(string roomId) => Post($"/rooms/{roomId}/join");

    public async Task<string> Ask(string roomId, string text = "What got you started?", bool anonymous = false) =>
        (await (await Post($"/rooms/{roomId}/questions", new { text, anonymous }, 201)).ReadAsJsonAsync<QuestionCreated>())!.QuestionId;

    public Task<RoomScreen> Room(string roomId) => Get<RoomScreen>($"/rooms/{roomId}");

    public Task<ModerationView> Moderation(string roomId) => Get<ModerationView>($"/rooms/{roomId}/moderation");

    public async Task<EventCreated> ScheduleEvent(string title, DateTimeOffset startsAt, params string[] coHosts) =>
        (await (await Post("/events", new { title, startsAt, coHosts }, 201)).ReadAsJsonAsync<EventCreated>())!;

    public Task<ThreadView> Thread(string conversationId, string query = "") => Get<ThreadView>($"/conversations/{conversationId}{query}");

    private Task<IScenarioResult> Send(Action<Scenario> request, int status) => host.Scenario(s =>
    {
        request(s);
        if (token is not null) s.WithRequestHeader("Authorization", $"Bearer {token}");
        s.StatusCodeShouldBe(status);
    });
}
