using Backchannel.Domain.Questions;
using Backchannel.Domain.Rooms;
using Backchannel.Projections.Audit;
using Backchannel.Projections.Conversations;
using Backchannel.Projections.Rooms;
using Backchannel.Specs.Support;
using Shouldly;

namespace Backchannel.Specs.Http;

/// <summary>A live room run end to end over HTTP, as its moderator, speakers, listeners and an outsider use it.</summary>
public sealed class RoomFlowSpecs(AppFixture app) : AppSpec(app)
{
    private static string Code(Microsoft.AspNetCore.Mvc.ProblemDetails problem) => problem.Extensions["code"]!.ToString()!;

    [Fact]
    public async Task a_room_runs_from_start_to_end_with_questions_hands_and_the_stage()
    {
        var room = await As("ayu").StartRoom("Morning pages");
        foreach (var listener in new[] { "budi", "cici", "dodi" }) await As(listener).Join(room.RoomId);

        var cicis = await As("cici").Ask(room.RoomId, "How do you start the day?");
        var dodis = await As("dodi").Ask(room.RoomId, "Do you ever skip a day?", anonymous: true);
        await As("budi").Post($"/rooms/{room.RoomId}/questions/{cicis}/upvote");
        await As("budi").Post($"/rooms/{room.RoomId}/questions/{cicis}/upvote");
        await As("dodi").Post($"/rooms/{room.RoomId}/questions/{cicis}/upvote");
        await As("dodi").Post($"/rooms/{room.RoomId}/hand");

        var screening = await As("ayu").Moderation(room.RoomId);
        screening.Pending.Select(q => (q.QuestionId, q.Upvotes, q.AskedBy)).ShouldBe([(cicis, 2, "cici"), (dodis, 0, null)]);
        screening.RaisedHands.Select(h => h.UserId).ShouldBe(["dodi"]);
        screening.Stage.ShouldBe([new StageMember("ayu", RoomRole.Moderator)]);

        await As("ayu").Post($"/rooms/{room.RoomId}/questions/{cicis}/approve");
        await As("ayu").Post($"/rooms/{room.RoomId}/questions/{cicis}/pin");
        var budisView = await As("budi").Room(room.RoomId);
        budisView.Questions.Single().ShouldSatisfyAllConditions(
            q => q.QuestionId.ShouldBe(cicis), q => q.Pinned.ShouldBeTrue(), q => q.Upvotes.ShouldBe(2), q => q.YouUpvoted.ShouldBeTrue());
        budisView.ListenerCount.ShouldBe(3);
        budisView.StageConversationId.ShouldBeNull("the stage backchannel is for the stage");

        await As("ayu").Post($"/rooms/{room.RoomId}/stage", new { userId = "cici", questionId = cicis });
        (await As("cici").Room(room.RoomId)).ShouldSatisfyAllConditions(
            r => r.YourRole.ShouldBe(RoomRole.Speaker), r => r.StageConversationId.ShouldBe(room.StageConversationId));
        (await As("cici").Thread(room.StageConversationId)).Members.Select(m => (m.UserId, m.Status)).ShouldBe([("ayu", "active"), ("cici", "active")]);
        (await As("cici").Inbox()).Select(i => i.ConversationId).ShouldContain(room.StageConversationId, "no request step onto the stage");

        await As("cici").Post($"/rooms/{room.RoomId}/questions/{dodis}/answer", new { text = "Never on Sundays.", visibility = "private" });
        (await As("dodi").Room(room.RoomId)).YourQuestions.Single().Answers.Select(a => a.Text).ShouldBe(["Never on Sundays."]);
        (await As("budi").Room(room.RoomId)).Questions.Single(q => q.QuestionId == dodis).ShouldSatisfyAllConditions(
            q => q.Answers.ShouldBeEmpty("a private answer reaches the asker only"), q => q.AskedBy.ShouldBeNull());

        await As("ayu").Delete($"/rooms/{room.RoomId}/stage/cici?reason=thanks");
        await As("cici").Get($"/conversations/{room.StageConversationId}", 404);

        await As("ayu").Post($"/rooms/{room.RoomId}/end");
        Code(await As("dodi").Refused(c => c.Post($"/rooms/{room.RoomId}/questions", new { text = "Still there?", anonymous = false }, 409)))
            .ShouldBe("room_ended");
        Code(await As("eka").Refused(c => c.Post($"/rooms/{room.RoomId}/join", status: 409))).ShouldBe("room_ended");
        (await As("budi").Room(room.RoomId)).Ended.ShouldBeTrue();

        await AsyncViewsCaughtUp();
        var audit = await As("ops", isOperator: true).Items<RoomAuditEntry>($"/audit/rooms?roomId={room.RoomId}");
        audit.Single(e => e.QuestionId == dodis && e.Action == "question_asked").ShouldSatisfyAllConditions(
            e => e.Actor.ShouldBe("dodi", "the audit knows who asked anonymously"), e => e.Detail.ShouldBe("anonymous"));
        audit.Single(e => e.Action == "moved_to_audience").ShouldSatisfyAllConditions(
            e => e.Actor.ShouldBe("ayu"), e => e.Subject.ShouldBe("cici"), e => e.Reason.ShouldBe("thanks"));
        audit.Select(e => e.Action).ShouldContain("room_ended");
    }

    [Fact]
    public async Task each_role_is_refused_what_is_not_its_to_do()
    {
        var room = await As("ayu").StartRoom();
        await As("budi").Join(room.RoomId);
        await As("cici").Join(room.RoomId);
        await As("ayu").Post($"/rooms/{room.RoomId}/stage", new { userId = "cici" });
        var question = await As("budi").Ask(room.RoomId);

        // An outsider (eka) sees nothing and does nothing.
        Code(await As("eka").Refused(c => c.Get($"/rooms/{room.RoomId}", 403))).ShouldBe("not_in_room");
        Code(await As("eka").Refused(c => c.Get($"/rooms/{room.RoomId}/moderation", 403))).ShouldBe("not_in_room");
        Code(await As("eka").Refused(c => c.Post($"/rooms/{room.RoomId}/questions/{question}/upvote", status: 403))).ShouldBe("not_in_room");
        // A listener neither screens, nor promotes, nor ends.
        Code(await As("budi").Refused(c => c.Get($"/rooms/{room.RoomId}/moderation", 403))).ShouldBe("stage_only");
        Code(await As("budi").Refused(c => c.Post($"/rooms/{room.RoomId}/questions/{question}/approve", status: 403))).ShouldBe("stage_only");
        Code(await As("budi").Refused(c => c.Post($"/rooms/{room.RoomId}/end", status: 403))).ShouldBe("moderators_only");
        Code(await As("budi").Refused(c => c.Post($"/rooms/{room.RoomId}/stage", new { userId = "budi" }, 403))).ShouldBe("moderators_only");
        // A speaker screens, but neither asks, upvotes, promotes nor ends.
        await As("cici").Post($"/rooms/{room.RoomId}/questions/{question}/approve");
        Code(await As("cici").Refused(c => c.Post($"/rooms/{room.RoomId}/questions", new { text = "Me?", anonymous = false }, 403))).ShouldBe("listeners_only");
        Code(await As("cici").Refused(c => c.Post($"/rooms/{room.RoomId}/questions/{question}/upvote", status: 403))).ShouldBe("listeners_only");
        Code(await As("cici").Refused(c => c.Post($"/rooms/{room.RoomId}/stage", new { userId = "budi" }, 403))).ShouldBe("moderators_only");
        Code(await As("cici").Refused(c => c.Post($"/rooms/{room.RoomId}/end", status: 403))).ShouldBe("moderators_only");
        // A moderator cannot be moved off the stage, and nobody can promote someone absent.
        Code(await As("ayu").Refused(c => c.Delete($"/rooms/{room.RoomId}/stage/ayu", 409))).ShouldBe("cannot_move_a_moderator");
        Code(await As("ayu").Refused(c => c.Post($"/rooms/{room.RoomId}/stage", new { userId = "eka" }, 409))).ShouldBe("user_not_in_room");
        // A room that does not exist, and a question of another room, are not found.
        Code(await As("ayu").Refused(c => c.Get("/rooms/no-such-room", 404))).ShouldBe("room_not_found");
        var other = await As("dodi").StartRoom();
        await As("dodi").Post($"/rooms/{other.RoomId}/questions/{question}/approve", status: 404);
    }

    [Fact]
    public async Task bad_input_names_the_field_and_changes_nothing()
    {
        var room = await As("ayu").StartRoom();
        await As("budi").Join(room.RoomId);

        var tooLong = await As("budi").Refused(c => c.Post($"/rooms/{room.RoomId}/questions", new { text = new string('?', 501), anonymous = false }, 400));
        tooLong.Extensions.ShouldContainKey("errors");
        tooLong.Extensions["errors"]!.ToString()!.ShouldContain("text");
        (await As("budi").Refused(c => c.Post("/rooms", new { title = "" }, 400))).Extensions["errors"]!.ToString()!.ShouldContain("title");
        (await As("budi").Refused(c => c.Post("/rooms", new { title = "nul\0here" }, 400))).Extensions["errors"]!.ToString()!.ShouldContain("title");
        (await As("ayu").Refused(c => c.Post($"/rooms/{room.RoomId}/questions/q1/answer", new { text = "x", visibility = "loud" }, 400)))
            .Extensions["errors"]!.ToString()!.ShouldContain("visibility");

        (await As("ayu").Moderation(room.RoomId)).Pending.ShouldBeEmpty();
    }

    [Fact]
    public async Task listeners_chat_with_friends_in_the_room_through_ordinary_requests()
    {
        var room = await As("ayu").StartRoom("Jazz");
        await As("budi").Join(room.RoomId);
        await As("cici").Join(room.RoomId);

        var chat = await As("budi").StartConversation("enjoying this?", ["cici"], roomId: room.RoomId);
        (await As("cici").Requests()).Single().Context.Room.ShouldBe(new RoomLink(room.RoomId, "Jazz", Ended: false));
        (await As("budi").Thread(chat.ConversationId)).Room!.RoomId.ShouldBe(room.RoomId);

        Code(await As("budi").Refused(c => c.Post("/conversations", new { to = new[] { "dodi" }, text = "hi", roomId = room.RoomId }, 409)))
            .ShouldBe("recipient_not_in_room");
    }

    [Fact]
    public async Task a_thank_you_note_for_the_room_arrives_as_a_request_linked_to_it()
    {
        var room = await As("ayu").StartRoom("Morning pages");
        await As("dodi").Join(room.RoomId);
        await As("ayu").Post($"/rooms/{room.RoomId}/end");

        var note = (await (await As("dodi").Post("/thanks", new { to = "ayu", roomId = room.RoomId, text = "Thank you for this morning!" }, 201))
            .ReadAsJsonAsync<Backchannel.Host.Http.ConversationCreated>())!;

        var request = (await As("ayu").Requests()).Single();
        request.Context.Room.ShouldBe(new RoomLink(room.RoomId, "Morning pages", Ended: true));
        request.OpeningMessage!.Kind.ShouldBe(MessageKind.Thanks);
        var thanks = (await As("ayu").Thread(note.ConversationId)).Messages.Single();
        (thanks.Kind, thanks.ThanksTo, thanks.Text).ShouldBe((MessageKind.Thanks, "ayu", "Thank you for this morning!"));

        Code(await As("eka").Refused(c => c.Post("/thanks", new { to = "ayu", roomId = room.RoomId, text = "hi" }, 403))).ShouldBe("not_in_room");
        Code(await As("dodi").Refused(c => c.Post("/thanks", new { to = "eka", roomId = room.RoomId, text = "hi" }, 409))).ShouldBe("recipient_not_in_room");
    }
}
