using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
using FluentValidation;
using Shouldly;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Input shape: every malformed field is named, every well-formed command passes.</summary>
public sealed class ValidatorSpecs
{
    private static readonly IValidator<RequestConversation> RequestValidator = new RequestConversation.Validator(Settings);

    private static void ShouldFailOn<T>(IValidator<T> validator, T command, string field) =>
        validator.Validate(command).Errors.Select(e => e.PropertyName).ShouldContain(field);

    private static void ShouldPass<T>(IValidator<T> validator, T command) => validator.Validate(command).Errors.ShouldBeEmpty();

    private static RequestConversation Request(IReadOnlyList<string> to, string text = "hi", string from = "ayu") => new("c-1", from, to, text, null);

    [Fact]
    public void a_well_formed_request_passes() => ShouldPass(RequestValidator, Request(["budi", "cici_2"]));

    [Theory]
    [InlineData("a")]
    [InlineData("AB")]
    [InlineData("bu-di")]
    [InlineData("thirty_three_characters_handle_xx")]
    public void a_recipient_must_be_a_handle(string handle) => ShouldFailOn(RequestValidator, Request([handle]), "To[0]");

    [Fact]
    public void a_request_names_each_recipient_once_not_the_sender_and_not_too_many()
    {
        ShouldFailOn(RequestValidator, Request([]), "To");
        ShouldFailOn(RequestValidator, Request(["budi", "budi"]), "To");
        ShouldFailOn(RequestValidator, Request(["ayu"]), "To[0]");
        ShouldFailOn(RequestValidator, Request(Enumerable.Range(1, 15).Select(i => $"user{i}").ToList()), "To");
        ShouldPass(RequestValidator, Request(Enumerable.Range(1, 14).Select(i => $"user{i}").ToList()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void a_message_has_text(string text) => ShouldFailOn(new SendMessage.Validator(), new SendMessage("c1", "m1", "ayu", text, null), "Text");

    [Fact]
    public void a_message_holds_at_most_4000_characters()
    {
        ShouldPass(new SendMessage.Validator(), new SendMessage("c1", "m1", "ayu", new string('x', 4_000), null));
        ShouldFailOn(new SendMessage.Validator(), new SendMessage("c1", "m1", "ayu", new string('x', 4_001), null), "Text");
        ShouldFailOn(RequestValidator, Request(["budi"], new string('x', 4_001)), "Text");
    }

    [Fact]
    public void ids_are_present_and_short() =>
        ShouldFailOn(new SendMessage.Validator(), new SendMessage(new string('c', 65), "", "ayu", "hi", null), "ConversationId");

    [Fact]
    public void nobody_follows_or_blocks_themselves()
    {
        ShouldFailOn(new FollowUser.Validator(), new FollowUser("ayu", "ayu"), "Followee");
        ShouldFailOn(new BlockUser.Validator(), new BlockUser("ayu", "ayu"), "Target");
        ShouldPass(new FollowUser.Validator(), new FollowUser("ayu", "budi"));
    }

    [Fact]
    public void an_emoji_has_no_white_space()
    {
        ShouldFailOn(new ReactToMessage.Validator(), new ReactToMessage("c1", "m1", "ayu", "🔥 🔥"), "Emoji");
        ShouldPass(new ReactToMessage.Validator(), new ReactToMessage("c1", "m1", "ayu", "👍🏽"));
    }

    [Fact]
    public void a_policy_is_one_of_the_known_ones() =>
        ShouldFailOn(new SetMessagePolicy.Validator(), new SetMessagePolicy("ayu", (MessagePolicy)7), "Policy");

    [Fact]
    public void a_group_name_and_a_report_reason_have_limits()
    {
        ShouldFailOn(new RenameGroup.Validator(), new RenameGroup("c1", "ayu", ""), "Title");
        ShouldFailOn(new RenameGroup.Validator(), new RenameGroup("c1", "ayu", new string('x', 101)), "Title");
        ShouldFailOn(new ReportRequest.Validator(), new ReportRequest("c1", "ayu", new string('x', 1_001)), "Reason");
    }

    [Fact]
    public void members_are_added_by_handle_and_once_each()
    {
        ShouldFailOn(new AddMembers.Validator(), new AddMembers("c1", "ayu", []), "NewMembers");
        ShouldFailOn(new AddMembers.Validator(), new AddMembers("c1", "ayu", ["eka", "eka"]), "NewMembers");
        ShouldFailOn(new AddMembers.Validator(), new AddMembers("c1", "ayu", ["E K A"]), "NewMembers[0]");
        ShouldFailOn(new RemoveMember.Validator(), new RemoveMember("c1", "ayu", "ayu"), "Member");
    }

    [Fact]
    public void a_missing_list_fails_validation_naming_it_rather_than_crashing()
    {
        ShouldFailOn(RequestValidator, Request(null!), "To");
        ShouldFailOn(new AddMembers.Validator(), new AddMembers("c1", "ayu", null!), "NewMembers");
    }

    [Theory]
    [InlineData("r1/ayu")]
    [InlineData("room 1")]
    [InlineData("")]
    public void an_id_is_url_safe_so_derived_stream_keys_never_collide(string id) =>
        ShouldFailOn(new Backchannel.Domain.Rooms.JoinRoom.Validator(), new Backchannel.Domain.Rooms.JoinRoom(id, "ayu"), "RoomId");

    [Fact]
    public void a_question_has_1_to_500_characters()
    {
        var validator = new Backchannel.Domain.Questions.AskQuestion.Validator();
        Backchannel.Domain.Questions.AskQuestion Ask(string text) => new("q-1", "r1", "cici", text, false);
        ShouldFailOn(validator, Ask(""), "Text");
        ShouldFailOn(validator, Ask(new string('?', 501)), "Text");
        ShouldPass(validator, Ask(new string('?', 500)));
    }

    [Fact]
    public void an_event_starts_in_the_future_with_co_hosts_named_once_and_not_the_host()
    {
        var validator = new Backchannel.Domain.Planning.ScheduleEvent.Validator(Settings, new FixedClock(Now));
        Backchannel.Domain.Planning.ScheduleEvent Schedule(DateTimeOffset startsAt, params string[] coHosts) =>
            new("e-1", "plan-1", "ayu", "Morning pages", startsAt, coHosts);
        ShouldPass(validator, Schedule(Now.AddHours(1), "budi"));
        ShouldFailOn(validator, Schedule(Now.AddMinutes(-1)), "StartsAt");
        ShouldFailOn(validator, Schedule(Now.AddHours(1), "budi", "budi"), "CoHosts");
        ShouldFailOn(validator, Schedule(Now.AddHours(1), "ayu"), "CoHosts[0]");
        ShouldFailOn(validator, Schedule(Now.AddHours(1), Enumerable.Range(1, 15).Select(i => $"user{i}").ToArray()), "CoHosts");
        ShouldFailOn(validator, new Backchannel.Domain.Planning.ScheduleEvent("e-1", "plan-1", "ayu", "Morning pages", Now.AddHours(1), null!), "CoHosts");
    }

    [Fact]
    public void a_thank_you_note_thanks_for_a_room_or_an_event_not_both_and_not_yourself()
    {
        var validator = new Backchannel.Domain.Thanks.SendThanks.Validator();
        Backchannel.Domain.Thanks.SendThanks Thank(string? room, string? @event, string to = "ayu") => new("t-1", "dodi", to, room, @event, "Thanks!");
        ShouldPass(validator, Thank("r1", null));
        ShouldPass(validator, Thank(null, "e1"));
        ShouldFailOn(validator, Thank(null, null), "RoomId");
        ShouldFailOn(validator, Thank("r1", "e1"), "EventId");
        ShouldFailOn(validator, Thank("r1", null, to: "dodi"), "To");
    }

    [Fact]
    public void free_text_may_not_hold_nul_which_the_event_store_cannot_keep()
    {
        ShouldFailOn(new Backchannel.Domain.Rooms.StartRoom.Validator(), new Backchannel.Domain.Rooms.StartRoom("r-1", "s-1", "ayu", "a\0b", null), "Title");
        ShouldFailOn(new Backchannel.Domain.Questions.AskQuestion.Validator(), new Backchannel.Domain.Questions.AskQuestion("q-1", "r1", "cici", "why\0?", false), "Text");
        ShouldFailOn(new Backchannel.Domain.Questions.DismissQuestion.Validator(), new Backchannel.Domain.Questions.DismissQuestion("q1", "r1", "ayu", "no\0"), "Reason");
        ShouldFailOn(RequestValidator, Request(["budi"], text: "hi\0"), "Text");
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Theory]
    [InlineData("budi")]
    [InlineData("room_1")]
    [InlineData("c1")]
    public void a_new_stream_id_never_looks_like_a_handle_so_it_can_never_name_a_users_stream(string id)
    {
        ShouldFailOn(RequestValidator, new RequestConversation(id, "ayu", ["budi"], "hi", null), "ConversationId");
        ShouldFailOn(new Backchannel.Domain.Rooms.StartRoom.Validator(), new Backchannel.Domain.Rooms.StartRoom(id, "s-1", "ayu", "Morning", null), "RoomId");
        ShouldFailOn(new Backchannel.Domain.Questions.AskQuestion.Validator(), new Backchannel.Domain.Questions.AskQuestion(id, "r1", "cici", "why?", false), "QuestionId");
        ShouldPass(RequestValidator, new RequestConversation($"{id}-x", "ayu", ["budi"], "hi", null));
    }
}
