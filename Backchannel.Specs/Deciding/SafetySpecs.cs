using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Safety;
using JasperFx.Events;
using Shouldly;
using static Backchannel.Specs.Deciding.Conversations;
using static Backchannel.Specs.Deciding.Spec;

namespace Backchannel.Specs.Deciding;

/// <summary>Report cases, the operators' decisions on them, and suspensions, each rule broken on purpose.</summary>
public sealed class SafetySpecs
{
    private static IEvent<T> At<T>(T data, long version) where T : notnull => new Event<T>(data) { Version = version };

    private static readonly MessageReported BudiReportsOpening = new(Id, Opening, "budi", "ayu", "rude", Now);
    private static string MessageCase => ReportIds.ForMessage(Id, Opening);

    private static ReportCase Reported(params object[] more)
    {
        var report = ReportCase.Create(At(BudiReportsOpening, 5));
        foreach (var e in more)
            report = e switch
            {
                MessageReported m => report.Apply(At(m, 6)),
                ReportDismissed d => report.Apply(d),
                MessageRemovedByModeration r => report.Apply(r),
                _ => throw new ArgumentException(e.GetType().Name),
            };
        return report;
    }

    [Fact]
    public void reports_of_one_message_are_one_case_counted_per_report_and_a_report_after_a_decision_reopens_it()
    {
        var twice = Reported(new MessageReported(Id, Opening, "cici", "ayu", null, Now.AddMinutes(1)));
        twice.Id.ShouldBe(MessageCase);
        (twice.Status, twice.OpenReports, twice.Reports.Count, twice.QueuedAt).ShouldBe((ReportStatus.Open, 2, 2, Now));

        var dismissed = Reported(new ReportDismissed(Id, MessageCase, "ayu", "ops", "fine", Now.AddMinutes(2)));
        (dismissed.Status, dismissed.OpenReports).ShouldBe((ReportStatus.Resolved, 0));
        dismissed.Reports.ShouldAllBe(r => !r.Open);

        var again = dismissed.Apply(At(new MessageReported(Id, Opening, "cici", "ayu", "still rude", Now.AddMinutes(3)), 9));
        (again.Status, again.OpenReports, again.QueuedAt).ShouldBe((ReportStatus.Open, 1, Now.AddMinutes(3)));
    }

    [Fact]
    public void a_case_id_names_one_request_or_one_message_and_no_choice_of_ids_makes_two_cases_one()
    {
        ReportIds.ForMessage("a~b", "c").ShouldNotBe(ReportIds.ForMessage("a", "b~c"));
        ReportIds.ForMessage(Id, "ayu").ShouldNotBe(ReportIds.ForRequest(Id, "ayu"));
        ReportIds.ForRequest(Id, "ayu").ShouldBe(ReportIds.ForRequest(Id, "ayu"));
        Rules.IsId(ReportIds.ForRequest(Id, "ayu")).ShouldBeTrue("the case id travels in a route");
        Rules.IsHandle(ReportIds.ForRequest(Id, "ayu")).ShouldBeFalse();
    }

    [Fact]
    public void an_open_case_is_dismissed_once_and_an_unknown_one_is_not_found()
    {
        Given(Accepted()).When(_ => DismissReportHandler.Decide(new DismissReport(MessageCase, "ops", "fine"), Reported(), Now))
            .Then(new ReportDismissed(Id, MessageCase, "ayu", "ops", "fine", Now));
        Given(Accepted()).When(_ => DismissReportHandler.Decide(new DismissReport(MessageCase, "ops", "fine"),
                Reported(new ReportDismissed(Id, MessageCase, "ayu", "ops", "fine", Now)), Now))
            .ThenFails(ViolationKind.Conflict, "report_resolved");
        Given(Accepted()).When(_ => DismissReportHandler.Decide(new DismissReport("rpt-none", "ops", "fine"), null, Now))
            .ThenFails(ViolationKind.NotFound, "report_not_found");
    }

    [Fact]
    public void removing_a_reported_message_removes_that_message_once()
    {
        Given([.. Accepted(), Message(2, "ayu")])
            .When(c => RemoveReportedMessageHandler.Decide(new RemoveReportedMessage(MessageCase, "ops", "abuse"), Reported(), c, Now))
            .Then(new MessageRemovedByModeration(Id, Opening, "ayu", MessageCase, "ops", "abuse", Now));

        var removed = new MessageRemovedByModeration(Id, Opening, "ayu", MessageCase, "ops", "abuse", Now);
        Given([.. Accepted(), removed])
            .When(c => RemoveReportedMessageHandler.Decide(new RemoveReportedMessage(MessageCase, "ops", "abuse"),
                Reported(removed).Apply(At(new MessageReported(Id, Opening, "cici", "ayu", null, Now), 9)), c, Now))
            .ThenFails(ViolationKind.Conflict, "nothing_to_remove");
    }

    [Fact]
    public void removing_a_reported_request_removes_the_requesters_messages_the_reporter_could_read_and_nothing_else()
    {
        var reported = new RequestReported(Id, "ayu", "budi", "scam", Now);
        object[] history = [Started(ConversationKind.Group), AdmittedAutomatically("cici"), RequestTo("budi"), Message(1, "ayu"),
            Message(2, "cici"), Message(3, "ayu"), Message(4, "ayu"), Message(5, "ayu"), new PendingMessagesCapped(Id, "budi", 3, Now),
            reported];
        var report = ReportCase.Create(At(reported, history.Length));
        report.Id.ShouldBe(ReportIds.ForRequest(Id, "ayu"));

        Given(history).When(c => RemoveReportedMessageHandler.Decide(new RemoveReportedMessage(report.Id, "ops", "scam"), report, c, Now))
            .Then(
                new MessageRemovedByModeration(Id, Opening, "ayu", report.Id, "ops", "scam", Now),
                new MessageRemovedByModeration(Id, "m3", "ayu", report.Id, "ops", "scam", Now));
    }

    [Fact]
    public void a_removed_message_is_deleted_for_every_later_decision()
    {
        var removed = new MessageRemovedByModeration(Id, Opening, "ayu", MessageCase, "ops", "abuse", Now);
        Given([.. Accepted(), removed]).When(c => ChangingMessagesHandler.Decide(new EditMessage(Id, Opening, "ayu", "back again"), c, Now))
            .ThenFails(ViolationKind.Conflict, "message_deleted");
        Given([.. Accepted(), removed]).When(c => ReactingHandler.Decide(new ReactToMessage(Id, Opening, "budi", "🔥"), c, Now))
            .ThenFails(ViolationKind.Conflict, "message_deleted");
    }

    [Fact]
    public void a_suspension_holds_until_its_end_or_until_lifted_and_a_later_one_replaces_it()
    {
        var week = new UserSuspended("ayu", "ops", Now.AddDays(7), "harassment", Now);
        var suspension = Spec.Fold<Suspension>([week])!;
        suspension.Id.ShouldBe("suspension/ayu");
        suspension.HoldsAt(Now).ShouldBeTrue();
        suspension.HoldsAt(Now.AddDays(7).AddTicks(-1)).ShouldBeTrue();
        suspension.HoldsAt(Now.AddDays(7)).ShouldBeFalse("it ends by itself at its end");
        Spec.Fold<Suspension>([week, new SuspensionLifted("ayu", "ops", null, Now.AddHours(1))])!.HoldsAt(Now.AddHours(2)).ShouldBeFalse();
        Spec.Fold<Suspension>([week, new UserSuspended("ayu", "ops", null, "again", Now.AddHours(1))])!.HoldsAt(Now.AddYears(5)).ShouldBeTrue();
    }

    [Fact]
    public void suspending_is_always_on_record_and_lifting_only_lifts_what_holds()
    {
        Given<Suspension>().When(s => SuspendUserHandler.Decide(new SuspendUser("ayu", "ops", null, "spam"), s, Now))
            .Then(new UserSuspended("ayu", "ops", null, "spam", Now));
        var held = new UserSuspended("ayu", "ops", Now.AddDays(1), "spam", Now);
        Given<Suspension>(held).When(s => SuspendUserHandler.Decide(new SuspendUser("ayu", "ops", Now.AddDays(1), "spam, again"), s, Now))
            .Then(new UserSuspended("ayu", "ops", Now.AddDays(1), "spam, again", Now));

        Given<Suspension>(held).When(s => LiftSuspensionHandler.Decide(new LiftSuspension("ayu", "ops", null), s, Now.AddHours(1)))
            .Then(new SuspensionLifted("ayu", "ops", null, Now.AddHours(1)));
        Given<Suspension>().When(s => LiftSuspensionHandler.Decide(new LiftSuspension("ayu", "ops", null), s, Now)).ThenNothingHappened();
        Given<Suspension>(held).When(s => LiftSuspensionHandler.Decide(new LiftSuspension("ayu", "ops", null), s, Now.AddDays(2)))
            .ThenNothingHappened();
    }

    [Fact]
    public void a_suspension_needs_a_reason_an_end_ahead_and_another_user()
    {
        var clock = new FixedClock(Now);
        Failed(new SuspendUser.Validator(clock).Validate(new SuspendUser("ayu", "ops", Now.AddMinutes(-1), "spam"))).ShouldBe(["Until"]);
        Failed(new SuspendUser.Validator(clock).Validate(new SuspendUser("ayu", "ops", null, " "))).ShouldBe(["Reason"]);
        Failed(new SuspendUser.Validator(clock).Validate(new SuspendUser("ops", "ops", null, "test"))).ShouldBe(["UserId"]);
        Failed(new SuspendUser.Validator(clock).Validate(new SuspendUser("Not A Handle", "ops", null, "spam"))).ShouldBe(["UserId"]);
        new SuspendUser.Validator(clock).Validate(new SuspendUser("ayu", "ops", Now.AddMinutes(1), "spam")).IsValid.ShouldBeTrue();
        Failed(new DismissReport.Validator().Validate(new DismissReport("rpt/x", "ops", ""))).ShouldBe(["Reason", "ReportId"]);
        Failed(new RemoveReportedMessage.Validator().Validate(new RemoveReportedMessage(MessageCase, "ops", new string('x', Rules.MaxReasonLength + 1))))
            .ShouldBe(["Reason"]);
    }

    [Fact]
    public void every_command_a_handler_takes_is_either_a_users_write_or_named_as_no_users()
    {
        // Every assembly of Backchannel's that holds handlers: a command handled outside the Domain must be named too.
        var handled = new[] { typeof(BackchannelSettings).Assembly, typeof(Backchannel.Projections.Privacy.Erasing).Assembly }.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static))
            .Where(m => m.Name is "Handle" or "HandleAsync" && m.GetParameters().Length > 0)
            .Select(m => m.GetParameters()[0].ParameterType)
            .ToHashSet();

        handled.Except(WriteCommands.Actors.Keys).Except(WriteCommands.NotWrittenByUsers)
            .Select(t => t.Name).ShouldBeEmpty("a command with no actor for the suspension guard");
        WriteCommands.Actors.Keys.Intersect(WriteCommands.NotWrittenByUsers).ShouldBeEmpty();
        WriteCommands.Actors.Keys.Except(handled).ShouldBeEmpty("an actor for a command nothing handles");
    }

    private static List<string> Failed(FluentValidation.Results.ValidationResult result) =>
        result.Errors.Select(e => e.PropertyName).Distinct().Order(StringComparer.Ordinal).ToList();

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
