using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Planning;
using Backchannel.Domain.Questions;
using Backchannel.Domain.Requests;
using Backchannel.Domain.Rooms;
using Backchannel.Domain.Stage;
using Backchannel.Domain.Thanks;
using Bogus;
using Wolverine;

namespace Backchannel.Specs.Support;

/// <summary>
/// Drives the domain with random, well-formed commands among a few people, through the real bus. Many are refused
/// by a rule (that is the point: refusals must change nothing); the history that results is what the specs check.
/// </summary>
public sealed class RandomHistory(IMessageBus bus, int seed)
{
    public static readonly string[] People = ["ayu", "budi", "cici", "dodi", "eka", "fajar"];

    private readonly Faker _faker = new() { Random = new Randomizer(seed) };
    private readonly List<string> _conversations = [];
    private readonly Dictionary<string, List<string>> _messages = [];
    private readonly List<string> _rooms = [];
    private readonly Dictionary<string, List<string>> _questions = [];
    private readonly List<string> _events = [];

    public int Accepted { get; private set; }
    public int Refused { get; private set; }

    public async Task RunAsync(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            var command = NextCommand();
            try
            {
                await bus.InvokeAsync(command);
                Remember(command);
                Accepted++;
            }
            catch (RuleViolation)
            {
                Refused++;
            }
        }
    }

    /// <summary>Later commands pick among what earlier commands really created, so they are refused for their rules, not for a typo.</summary>
    private void Remember(object command)
    {
        switch (command)
        {
            case RequestConversation c:
                _conversations.Add(c.ConversationId);
                _messages[c.ConversationId] = [RequestConversationHandler.OpeningMessageIdOf(c.ConversationId)];
                break;
            case SendMessage m: _messages[m.ConversationId].Add(m.MessageId); break;
            case StartRoom r:
                _rooms.Add(r.RoomId);
                _questions[r.RoomId] = [];
                break;
            case AskQuestion q: _questions[q.RoomId].Add(q.QuestionId); break;
            case ScheduleEvent e: _events.Add(e.EventId); break;
        }
    }

    private object NextCommand()
    {
        var me = _faker.PickRandom(People);
        var other = _faker.PickRandom(People.Where(p => p != me));
        if (_faker.Random.Bool(0.4f)) return NextRoomCommand(me, other);
        if (_conversations.Count == 0 || _faker.Random.Int(0, 9) == 0) return StartConversation(me);
        var conversation = _faker.PickRandom(_conversations);
        var message = _faker.PickRandom(_messages[conversation]);
        return _faker.Random.Int(0, 19) switch
        {
            0 => new FollowUser(me, other),
            1 => new UnfollowUser(me, other),
            2 => _faker.Random.Bool(0.2f) ? new BlockUser(me, other) : new UnblockUser(me, other),
            3 => new SetMessagePolicy(me, _faker.Random.Bool(0.8f) ? MessagePolicy.Everyone : MessagePolicy.Following),
            4 => new AcceptRequest(conversation, me),
            5 => _faker.Random.Bool() ? new DeclineRequest(conversation, me) : new ReportRequest(conversation, me, "spam"),
            6 => new BlockRequester(conversation, me),
            7 => new EditMessage(conversation, message, me, _faker.Lorem.Sentence()),
            8 => new DeleteMessage(conversation, message, me),
            9 => new ReactToMessage(conversation, message, me, _faker.PickRandom("🔥", "👍", "😂")),
            10 => new WithdrawReaction(conversation, message, me, "🔥"),
            11 => new MarkRead(conversation, me, message),
            12 => new MuteConversation(conversation, me, _faker.Random.Bool()),
            13 => _faker.Random.Bool(0.3f) ? new LeaveConversation(conversation, me) : new RenameGroup(conversation, me, _faker.Lorem.Word()),
            14 => new AddMembers(conversation, me, [other]),
            15 => new RemoveMember(conversation, me, other),
            16 => new ReportMessage(conversation, message, me, null),
            _ => SendMessage(conversation, me),
        };
    }

    private object NextRoomCommand(string me, string other)
    {
        if (_rooms.Count == 0 || _faker.Random.Int(0, 39) == 0) return StartRoom(me);
        var room = _faker.PickRandom(_rooms);
        if (_questions[room].Count == 0 || _faker.Random.Int(0, 5) == 0) return _faker.Random.Bool() ? new JoinRoom(room, me) : Ask(room, me);
        var question = _faker.PickRandom(_questions[room]);
        return _faker.Random.Int(0, 22) switch
        {
            0 or 1 or 2 => new JoinRoom(room, me),
            3 => new LeaveRoom(room, me),
            4 => new RaiseHand(room, me),
            5 => new LowerHand(room, me),
            6 => new PromoteToStage(room, me, other, _faker.Random.Bool() ? question : null),
            7 => new MoveToAudience(room, me, other, null),
            8 => new MakeModerator(room, me, other),
            9 or 10 or 11 => new UpvoteQuestion(question, room, me),
            12 => new WithdrawUpvote(question, room, me),
            13 => new ApproveQuestion(question, room, me),
            14 => new DismissQuestion(question, room, me, "off topic"),
            15 => new ReopenQuestion(question, room, me),
            16 => _faker.Random.Bool() ? new PinQuestion(question, room, me) : new UnpinQuestion(question, room, me),
            17 => new AnswerQuestion(question, room, me, _faker.Lorem.Sentence(), _faker.PickRandom<AnswerVisibility>()),
            18 => new MarkAnsweredLive(question, room, me),
            19 => _faker.Random.Bool(0.2f) ? new EndRoom(room, me) : Ask(room, me),
            20 => new SendThanks(Guid.CreateVersion7().ToString(), me, other, room, null, _faker.Lorem.Sentence()),
            21 => ScheduleEvent(me, other),
            _ => _events.Count == 0 ? ScheduleEvent(me, other) : NextEventCommand(me, other),
        };
    }

    private object NextEventCommand(string me, string other)
    {
        var plannedEvent = _faker.PickRandom(_events);
        return _faker.Random.Int(0, 4) switch
        {
            0 => new AddCoHost(plannedEvent, me, other),
            1 => new RemoveCoHost(plannedEvent, me, other),
            2 => new RescheduleEvent(plannedEvent, me, DateTimeOffset.UtcNow.AddDays(_faker.Random.Int(1, 30))),
            3 => new CancelEvent(plannedEvent, me, null),
            _ => StartRoom(me, plannedEvent),
        };
    }

    private StartRoom StartRoom(string by, string? fromEvent = null) =>
        new(Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString(), by, _faker.Lorem.Sentence(3), fromEvent);

    private AskQuestion Ask(string room, string asker) =>
        new(Guid.CreateVersion7().ToString(), room, asker, _faker.Lorem.Sentence() + "?", _faker.Random.Bool(0.3f));

    private ScheduleEvent ScheduleEvent(string host, string coHost) =>
        new(Guid.CreateVersion7().ToString(), Guid.CreateVersion7().ToString(), host, _faker.Lorem.Sentence(3),
            DateTimeOffset.UtcNow.AddDays(_faker.Random.Int(1, 30)), _faker.Random.Bool() ? [coHost] : []);

    private RequestConversation StartConversation(string from)
    {
        var id = Guid.CreateVersion7().ToString();
        var to = _faker.PickRandom(People.Where(p => p != from), _faker.Random.Bool(0.7f) ? 1 : _faker.Random.Int(2, 3)).ToList();
        return new RequestConversation(id, from, to, _faker.Lorem.Sentence(), null);
    }

    private SendMessage SendMessage(string conversation, string sender)
    {
        var id = Guid.CreateVersion7().ToString();
        var replyTo = _faker.Random.Bool(0.2f) ? _faker.PickRandom(_messages[conversation]) : null;
        return new SendMessage(conversation, id, sender, _faker.Lorem.Sentence(), replyTo);
    }
}
