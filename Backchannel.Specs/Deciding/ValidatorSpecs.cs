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

    private static RequestConversation Request(IReadOnlyList<string> to, string text = "hi", string from = "ayu") => new("c1", from, to, text, null);

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
}
