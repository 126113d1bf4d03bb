using Alba;
using Backchannel.Specs.Support;
using Microsoft.AspNetCore.Routing;
using Shouldly;

namespace Backchannel.Specs.Security;

/// <summary>Who calls a route, relative to the scene it acts on.</summary>
public enum Role { None, Outsider, Sender, Recipient, Member, Creator, Listener, Speaker, Moderator, Operator }

/// <summary>The state the scene is in when the route is called.</summary>
public enum State { Pending, Accepted, Declined, Blocked, Left, Live, Ended }

/// <summary>
/// The authorization matrix: every route the app maps × the roles and states that matter to it, each with the exact
/// status expected. One table (<see cref="Routes"/>: route, scene, access rule) and one rule book
/// (<see cref="Expected"/>: the status each access rule gives each role in each state); every row arranges a fresh
/// scene with fresh people, calls the route, and checks the status. A route the app maps that the table does not name
/// fails the test, so a new route cannot be forgotten.
/// </summary>
public sealed class AuthorizationMatrixSpecs(AppFixture app) : AppSpec(app)
{
    private enum Scene { None, Conversation, Room, Event }

    private enum Access
    {
        Anyone, OperatorsOnly, OperatorOnAReport,
        ActiveMember, VisibleMember, ThreadReader, Sender, PendingRecipient, Acceptor, Author, Reporter, Creator,
        Present, StageOnly, JoinLive, AnyoneInRoom, Ender, ModeratorOnly, ListenerOnly, PresentVoter, Screener, SelfOrModerator, RoomThanks,
        EventHost, EventHosts, EventReader,
    }

    private sealed record Route(string Method, string Pattern, Scene Scene, Access Access, int Success = 204);

    private static readonly Route[] Routes =
    [
        new("PUT", "/me/policy", Scene.None, Access.Anyone),
        new("POST", "/follows/{userId}", Scene.None, Access.Anyone),
        new("DELETE", "/follows/{userId}", Scene.None, Access.Anyone),
        new("POST", "/blocks/{userId}", Scene.None, Access.Anyone),
        new("DELETE", "/blocks/{userId}", Scene.None, Access.Anyone),
        new("POST", "/conversations", Scene.None, Access.Anyone, 201),
        new("GET", "/inbox", Scene.None, Access.Anyone, 200),
        new("GET", "/inbox/requests", Scene.None, Access.Anyone, 200),
        new("POST", "/inbox/requests/decline-all", Scene.None, Access.Anyone, 200),
        new("POST", "/inbox/requests/block-all", Scene.None, Access.Anyone, 200),
        new("GET", "/audit/requests", Scene.None, Access.Anyone, 200),
        new("GET", "/audit/rooms", Scene.None, Access.OperatorsOnly, 200),
        new("POST", "/rooms", Scene.None, Access.Anyone, 201),
        new("POST", "/events", Scene.None, Access.Anyone, 201),
        new("GET", "/events/upcoming", Scene.None, Access.Anyone, 200),
        new("GET", "/me/export", Scene.None, Access.Anyone, 200),
        new("POST", "/push/tickets", Scene.None, Access.Anyone, 201),
        new("DELETE", "/me", Scene.None, Access.Anyone, 200),
        new("POST", "/users/{userId}/erasure", Scene.None, Access.OperatorsOnly, 200),
        new("GET", "/reports", Scene.None, Access.OperatorsOnly, 200),
        new("GET", "/audit/moderation", Scene.None, Access.OperatorsOnly, 200),
        new("POST", "/reports/{id}/dismiss", Scene.None, Access.OperatorOnAReport),
        new("POST", "/reports/{id}/remove", Scene.None, Access.OperatorOnAReport),
        new("PUT", "/users/{userId}/suspension", Scene.None, Access.OperatorsOnly),
        new("DELETE", "/users/{userId}/suspension", Scene.None, Access.OperatorsOnly),

        new("GET", "/conversations/{id}", Scene.Conversation, Access.ThreadReader, 200),
        new("POST", "/conversations/{id}/accept", Scene.Conversation, Access.Acceptor),
        new("POST", "/conversations/{id}/decline", Scene.Conversation, Access.PendingRecipient),
        new("POST", "/conversations/{id}/block", Scene.Conversation, Access.PendingRecipient),
        new("POST", "/conversations/{id}/report", Scene.Conversation, Access.PendingRecipient),
        new("POST", "/conversations/{id}/messages", Scene.Conversation, Access.Sender, 201),
        new("PUT", "/conversations/{id}/messages/{messageId}", Scene.Conversation, Access.Author),
        new("DELETE", "/conversations/{id}/messages/{messageId}", Scene.Conversation, Access.Author),
        new("POST", "/conversations/{id}/messages/{messageId}/reactions", Scene.Conversation, Access.ActiveMember),
        new("DELETE", "/conversations/{id}/messages/{messageId}/reactions/{emoji}", Scene.Conversation, Access.ActiveMember),
        new("POST", "/conversations/{id}/messages/{messageId}/report", Scene.Conversation, Access.Reporter),
        new("POST", "/conversations/{id}/read", Scene.Conversation, Access.VisibleMember),
        new("POST", "/conversations/{id}/mute", Scene.Conversation, Access.ActiveMember),
        new("DELETE", "/conversations/{id}/mute", Scene.Conversation, Access.ActiveMember),
        new("POST", "/conversations/{id}/leave", Scene.Conversation, Access.ActiveMember),
        new("PUT", "/conversations/{id}/title", Scene.Conversation, Access.ActiveMember),
        new("POST", "/conversations/{id}/members", Scene.Conversation, Access.ActiveMember),
        new("DELETE", "/conversations/{id}/members/{userId}", Scene.Conversation, Access.Creator),

        new("GET", "/rooms/{id}", Scene.Room, Access.Present, 200),
        new("GET", "/rooms/{id}/moderation", Scene.Room, Access.StageOnly, 200),
        new("GET", "/rooms/{id}/moderation/{list}", Scene.Room, Access.StageOnly, 200),
        new("GET", "/rooms/{id}/moderation/raised-hands", Scene.Room, Access.StageOnly, 200),
        new("POST", "/rooms/{id}/join", Scene.Room, Access.JoinLive),
        new("POST", "/rooms/{id}/leave", Scene.Room, Access.AnyoneInRoom),
        new("POST", "/rooms/{id}/end", Scene.Room, Access.Ender),
        new("POST", "/rooms/{id}/hand", Scene.Room, Access.ListenerOnly),
        new("DELETE", "/rooms/{id}/hand", Scene.Room, Access.AnyoneInRoom),
        new("POST", "/rooms/{id}/stage", Scene.Room, Access.ModeratorOnly),
        new("DELETE", "/rooms/{id}/stage/{userId}", Scene.Room, Access.SelfOrModerator),
        new("POST", "/rooms/{id}/moderators", Scene.Room, Access.ModeratorOnly),
        new("POST", "/rooms/{id}/questions", Scene.Room, Access.ListenerOnly, 201),
        new("POST", "/rooms/{id}/questions/{questionId}/upvote", Scene.Room, Access.ListenerOnly),
        new("DELETE", "/rooms/{id}/questions/{questionId}/upvote", Scene.Room, Access.PresentVoter),
        new("POST", "/rooms/{id}/questions/{questionId}/approve", Scene.Room, Access.Screener),
        new("POST", "/rooms/{id}/questions/{questionId}/dismiss", Scene.Room, Access.Screener),
        new("POST", "/rooms/{id}/questions/{questionId}/reopen", Scene.Room, Access.Screener),
        new("POST", "/rooms/{id}/questions/{questionId}/pin", Scene.Room, Access.Screener),
        new("DELETE", "/rooms/{id}/questions/{questionId}/pin", Scene.Room, Access.Screener),
        new("POST", "/rooms/{id}/questions/{questionId}/answer", Scene.Room, Access.Screener),
        new("POST", "/rooms/{id}/questions/{questionId}/answered-live", Scene.Room, Access.Screener),
        new("POST", "/thanks", Scene.Room, Access.RoomThanks, 201),

        new("GET", "/events/{id}", Scene.Event, Access.EventReader, 200),
        new("POST", "/events/{id}/cohosts", Scene.Event, Access.EventHost),
        new("DELETE", "/events/{id}/cohosts/{userId}", Scene.Event, Access.EventHost),
        new("POST", "/events/{id}/reschedule", Scene.Event, Access.EventHosts),
        new("POST", "/events/{id}/cancel", Scene.Event, Access.EventHost),
    ];

    // Routes left out, and why: the push stream is a long-lived response its own specs read with a streaming client
    // (its 401 is checked here); /dev/tokens exists in Development only (TokenSpecs); health and the OpenAPI document
    // are anonymous by design.
    // The OpenAPI document and its browsable reference (Scalar's page and assets) are anonymous and read no data.
    private static readonly string[] NotInTheTable = ["GET /me/events", "POST /dev/tokens", "GET /health", "GET /openapi/{documentName}.json",
        "GET /api-reference/{documentName?}", "GET /api-reference/scalar.js", "GET /api-reference/scalar.aspnetcore.js", "GET /api-reference/favicon.svg"];

    private static IEnumerable<(Role, State)> Cases(Scene scene) => scene switch
    {
        Scene.None => [(Role.None, State.Live), (Role.Outsider, State.Live), (Role.Operator, State.Live)],
        Scene.Conversation =>
            from state in new[] { State.Pending, State.Accepted, State.Declined, State.Blocked, State.Left }
            from role in new[] { Role.None, Role.Outsider, Role.Operator, Role.Sender, Role.Recipient, Role.Member, Role.Creator }
            select (role, state),
        Scene.Room =>
            from state in new[] { State.Live, State.Ended }
            from role in new[] { Role.None, Role.Outsider, Role.Operator, Role.Listener, Role.Speaker, Role.Moderator }
            select (role, state),
        _ => [(Role.None, State.Live), (Role.Outsider, State.Live), (Role.Operator, State.Live), (Role.Creator, State.Live), (Role.Member, State.Live)],
    };

    /// <summary>The rule book: what each access rule answers each role in each state (the route's success otherwise).</summary>
    private static int Expected(Route route, Role role, State state)
    {
        if (role == Role.None) return 401;
        // An operator reads every audit, and is otherwise nobody in particular: an outsider to what others do.
        if (role == Role.Operator && route.Access is not (Access.OperatorsOnly or Access.OperatorOnAReport)) role = Role.Outsider;
        var ok = route.Success;
        bool ended = state == State.Ended;
        return route.Access switch
        {
            Access.Anyone => ok,
            Access.OperatorsOnly => role == Role.Operator ? ok : 403,
            // The scene holds no report: an operator is told there is none, anyone else that they may not ask.
            Access.OperatorOnAReport => role == Role.Operator ? 404 : 403,

            // In the conversation scene the sender created a group, the member was admitted at once, and the
            // recipient's request is in the given state; an outsider never saw it.
            Access.ActiveMember => role switch
            {
                Role.Outsider => 404,
                Role.Recipient => Recipient(state, pending: 403, ok),
                _ => ok,
            },
            Access.VisibleMember or Access.Sender => role switch
            {
                Role.Outsider => 404,
                Role.Recipient => Recipient(state, pending: route.Success, ok),
                _ => ok,
            },
            Access.ThreadReader => role switch
            {
                Role.Outsider => 404,
                Role.Recipient => state is State.Pending or State.Accepted ? ok : 404,
                _ => ok,
            },
            Access.Acceptor => role switch
            {
                Role.Outsider => 404,
                Role.Recipient => Recipient(state, pending: ok, ok),
                _ => ok,
            },
            Access.PendingRecipient => role switch
            {
                Role.Outsider => 404,
                Role.Recipient => Recipient(state, pending: ok, accepted: 409),
                _ => 409,
            },
            Access.Author => role switch
            {
                Role.Outsider => 404,
                Role.Sender or Role.Creator => ok,
                Role.Recipient => Recipient(state, pending: 403, accepted: 403),
                _ => 403,
            },
            Access.Reporter => role switch
            {
                Role.Outsider => 404,
                Role.Sender or Role.Creator => 409,
                Role.Recipient => Recipient(state, pending: ok, ok),
                _ => ok,
            },
            Access.Creator => role switch
            {
                Role.Outsider => 404,
                Role.Sender or Role.Creator => ok,
                Role.Recipient => Recipient(state, pending: 403, accepted: 403),
                _ => 400, // the member is the one removed: removing yourself is invalid input (leave instead)
            },

            // In the room scene the moderator started it, the speaker was promoted, the listener asked a question
            // the moderator approved; an outsider never came in. Once a room has ended, every move in it is 409
            // (`room_ended`, public knowledge) whoever asks; reading it and leaving it still work, and only a
            // moderator may end it, again or not.
            Access.Present => role == Role.Outsider ? 403 : ok,
            Access.StageOnly => role is Role.Moderator or Role.Speaker ? ok : 403,
            Access.JoinLive => ended ? 409 : ok,
            Access.AnyoneInRoom => ok,
            Access.Ender => role == Role.Moderator ? ok : 403,
            _ when ended && route.Access is Access.ModeratorOnly or Access.ListenerOnly or Access.PresentVoter or Access.Screener
                or Access.SelfOrModerator => 409,
            Access.ModeratorOnly => role == Role.Moderator ? ok : 403,
            Access.ListenerOnly => role == Role.Listener ? ok : 403,
            Access.PresentVoter => role == Role.Outsider ? 403 : ok,
            Access.Screener => role is Role.Moderator or Role.Speaker ? ok : 403,
            Access.SelfOrModerator => role is Role.Moderator or Role.Speaker ? ok : 403,
            Access.RoomThanks => role switch
            {
                Role.Outsider => 403,
                Role.Moderator => 400, // the note is to the moderator: thanking yourself is invalid input
                _ => ok,
            },

            // In the event scene the creator hosts an upcoming event and the member co-hosts it.
            Access.EventHost => role == Role.Creator ? ok : 403,
            Access.EventHosts => role is Role.Creator or Role.Member ? ok : 403,
            Access.EventReader => ok,
            _ => throw new InvalidOperationException($"No rule for {route.Access}."),
        };
    }

    /// <summary>The recipient of a request by state: waiting, in, or gone (a decline or block hides it: 404; leaving: 403).</summary>
    private static int Recipient(State state, int pending, int accepted) => state switch
    {
        State.Pending => pending,
        State.Accepted => accepted,
        State.Left => 403,
        _ => 404,
    };

    [Fact]
    public void every_route_the_app_maps_is_in_the_table()
    {
        var mapped = Host.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} /{e.RoutePattern.RawText!.TrimStart('/')}"))
            .ToHashSet();
        var tabled = Routes.Select(r => $"{r.Method} {r.Pattern}").ToHashSet();

        mapped.Except(tabled).Except(NotInTheTable).ShouldBeEmpty("a route without rows in the authorization matrix");
        tabled.Except(mapped).ShouldBeEmpty("rows for a route the app does not map");
    }

    [Fact]
    public async Task every_route_answers_each_role_in_each_state_exactly()
    {
        var failures = new List<string>();
        var n = 0;
        foreach (var route in Routes)
        {
            foreach (var (role, state) in Cases(route.Scene))
            {
                var cast = new Cast(++n);
                var scene = await ArrangeAsync(route.Scene, state, cast);
                var (url, body) = Request(route, scene, cast);
                var result = await Host.Scenario(s =>
                {
                    var request = route.Method switch
                    {
                        "GET" => s.Get.Url(url),
                        "DELETE" => s.Delete.Url(url),
                        "PUT" => s.Put.Json(body ?? new { }).ToUrl(url),
                        _ => body is null ? s.Post.Url(url) : s.Post.Json(body).ToUrl(url),
                    };
                    if (role != Role.None) s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(cast.Of(role), role == Role.Operator)}");
                    s.IgnoreStatusCode();
                });
                var expected = Expected(route, role, state);
                if (result.Context.Response.StatusCode != expected)
                    failures.Add($"{route.Method} {route.Pattern} as {role} when {state}: expected {expected}, got {result.Context.Response.StatusCode}");
            }
        }
        failures.ShouldBeEmpty();
        n.ShouldBeGreaterThan(400);
    }

    /// <summary>Fresh people for one row, so no row sees another's state or rate limits.</summary>
    private sealed record Cast(int N)
    {
        public string Sender => $"s{N}";
        public string Recipient => $"r{N}";
        public string Member => $"m{N}";
        public string Outsider => $"o{N}";
        public string Listener => $"l{N}";
        public string Speaker => $"k{N}";
        public string Moderator => $"d{N}";
        public string Follower => $"f{N}";

        public string Of(Role role) => role switch
        {
            Role.Sender or Role.Creator => Sender,
            Role.Recipient => Recipient,
            Role.Member => Member,
            Role.Listener => Listener,
            Role.Speaker => Speaker,
            Role.Moderator => Moderator,
            Role.Operator => $"ops{N}",
            _ => Outsider,
        };
    }

    private sealed record Arranged(string Id = "", string MessageId = "", string QuestionId = "");

    private async Task<Arranged> ArrangeAsync(Scene scene, State state, Cast cast)
    {
        switch (scene)
        {
            case Scene.Conversation:
            {
                await As(cast.Member).Follow(cast.Sender);
                var started = await As(cast.Sender).StartConversation("welcome", [cast.Recipient, cast.Member]);
                var id = started.ConversationId;
                switch (state)
                {
                    case State.Accepted: await As(cast.Recipient).Post($"/conversations/{id}/accept"); break;
                    case State.Declined: await As(cast.Recipient).Post($"/conversations/{id}/decline"); break;
                    case State.Blocked: await As(cast.Recipient).Post($"/conversations/{id}/block"); break;
                    case State.Left:
                        await As(cast.Recipient).Post($"/conversations/{id}/accept");
                        await As(cast.Recipient).Post($"/conversations/{id}/leave");
                        break;
                }
                return new Arranged(id, started.MessageId);
            }
            case Scene.Room:
            {
                var room = await As(cast.Moderator).StartRoom();
                await As(cast.Speaker).Join(room.RoomId);
                await As(cast.Listener).Join(room.RoomId);
                await As(cast.Moderator).Post($"/rooms/{room.RoomId}/stage", new { userId = cast.Speaker });
                var question = await As(cast.Listener).Ask(room.RoomId);
                await As(cast.Moderator).Post($"/rooms/{room.RoomId}/questions/{question}/approve");
                if (state == State.Ended) await As(cast.Moderator).Post($"/rooms/{room.RoomId}/end");
                return new Arranged(room.RoomId, QuestionId: question);
            }
            case Scene.Event:
            {
                await As(cast.Member).Follow(cast.Sender);
                await As(cast.Follower).Follow(cast.Sender);
                var planned = await As(cast.Sender).ScheduleEvent("Planned", DateTimeOffset.UtcNow.AddDays(2), cast.Member);
                return new Arranged(planned.EventId);
            }
            default:
                return new Arranged();
        }
    }

    /// <summary>The route's URL with this scene's ids, and a well-formed body: the status then says who may, nothing else.</summary>
    private static (string Url, object? Body) Request(Route route, Arranged scene, Cast cast)
    {
        var userId = route.Pattern switch
        {
            "/conversations/{id}/members/{userId}" => cast.Member,
            "/rooms/{id}/stage/{userId}" => cast.Speaker,
            "/events/{id}/cohosts/{userId}" => cast.Member,
            _ => cast.Follower,
        };
        var url = route.Pattern.Replace("{id}", scene.Id is "" ? "rpt-none" : scene.Id).Replace("{messageId}", scene.MessageId).Replace("{questionId}", scene.QuestionId)
            .Replace("{userId}", userId).Replace("{list}", "pending").Replace("{emoji}", Uri.EscapeDataString("🔥"));
        object? body = (route.Method, route.Pattern) switch
        {
            ("PUT", "/me/policy") => new { policy = "everyone" },
            ("POST", "/conversations") => new { to = new[] { cast.Follower }, text = "hi" },
            ("POST", "/rooms") => new { title = "A room" },
            ("POST", "/events") => new { title = "An event", startsAt = DateTimeOffset.UtcNow.AddDays(1), coHosts = Array.Empty<string>() },
            ("POST", "/conversations/{id}/messages") => new { text = "hello" },
            ("PUT", "/conversations/{id}/messages/{messageId}") => new { text = "edited" },
            ("POST", "/conversations/{id}/messages/{messageId}/reactions") => new { emoji = "🔥" },
            ("POST", "/conversations/{id}/report") or ("POST", "/conversations/{id}/messages/{messageId}/report") => new { reason = "spam" },
            ("POST", "/conversations/{id}/read") => new { upToMessageId = scene.MessageId },
            ("POST", "/reports/{id}/dismiss") or ("POST", "/reports/{id}/remove") => new { reason = "reviewed" },
            ("PUT", "/users/{userId}/suspension") => new { until = (DateTimeOffset?)null, reason = "spam" },
            ("PUT", "/conversations/{id}/title") => new { title = "Renamed" },
            ("POST", "/conversations/{id}/members") => new { userIds = new[] { cast.Follower } },
            ("POST", "/rooms/{id}/stage") => new { userId = cast.Listener },
            ("POST", "/rooms/{id}/moderators") => new { userId = cast.Speaker },
            ("POST", "/rooms/{id}/questions") => new { text = "Another question?", anonymous = false },
            ("POST", "/rooms/{id}/questions/{questionId}/answer") => new { text = "An answer.", visibility = "public" },
            ("POST", "/thanks") => new { to = cast.Moderator, roomId = scene.Id, text = "Thank you!" },
            ("POST", "/events/{id}/cohosts") => new { userId = cast.Follower },
            ("POST", "/events/{id}/reschedule") => new { startsAt = DateTimeOffset.UtcNow.AddDays(3) },
            _ => null,
        };
        return (url, body);
    }

    [Fact]
    public async Task the_push_stream_needs_a_token() => await new Caller(Host, token: null).Get("/me/events", 401);
}
