using Backchannel.Domain.Common;
using Backchannel.Domain.Conversations;
using Backchannel.Domain.People;
using Backchannel.Domain.Requests;
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

    public int Accepted { get; private set; }
    public int Refused { get; private set; }

    public async Task RunAsync(int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            try
            {
                await bus.InvokeAsync(NextCommand());
                Accepted++;
            }
            catch (RuleViolation)
            {
                Refused++;
            }
        }
    }

    private object NextCommand()
    {
        var me = _faker.PickRandom(People);
        var other = _faker.PickRandom(People.Where(p => p != me));
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

    private RequestConversation StartConversation(string from)
    {
        var id = Guid.CreateVersion7().ToString();
        _conversations.Add(id);
        _messages[id] = [RequestConversationHandler.OpeningMessageIdOf(id)];
        var to = _faker.PickRandom(People.Where(p => p != from), _faker.Random.Bool(0.7f) ? 1 : _faker.Random.Int(2, 3)).ToList();
        return new RequestConversation(id, from, to, _faker.Lorem.Sentence(), null);
    }

    private SendMessage SendMessage(string conversation, string sender)
    {
        var id = Guid.CreateVersion7().ToString();
        _messages[conversation].Add(id);
        var replyTo = _faker.Random.Bool(0.2f) ? _faker.PickRandom(_messages[conversation]) : null;
        return new SendMessage(conversation, id, sender, _faker.Lorem.Sentence(), replyTo);
    }
}
