using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Backchannel.Bench.Floor;

public sealed record StartConversationBody(string[] To, string Text);

public sealed record SendMessageBody(string Text, string? MessageId = null);

public sealed record ConversationStarted(Guid ConversationId, string StartedBy, string[] Members, DateTimeOffset At);

public sealed record MessageSent(Guid ConversationId, string MessageId, string Author, string Text, DateTimeOffset At);

public sealed record ConversationCreated(Guid ConversationId);

public sealed record MessageCreated(string MessageId);

/// <summary>
/// The caller is named by the <c>X-User</c> header: the peers take the same request as the product without its JWT,
/// so that the load is the same shape.
/// </summary>
public static class Endpoints
{
    [WolverinePost("/conversations")]
    public static IResult Start(StartConversationBody body, [FromHeader(Name = "X-User")] string user, IDocumentSession session)
    {
        var id = Guid.CreateVersion7();
        var now = DateTimeOffset.UtcNow;
        session.Events.StartStream(id, new ConversationStarted(id, user, [user, .. body.To], now),
            new MessageSent(id, Guid.CreateVersion7().ToString(), user, body.Text, now));
        return Results.Created($"/conversations/{id}", new ConversationCreated(id));
    }

    /// <summary>
    /// Exclusive: a plain append does not wait for a concurrent one on the same stream, it fails on the stream's
    /// version (a 500 to one of two senders), so the floor takes the stream's row lock, as the product does.
    /// </summary>
    [WolverinePost("/conversations/{id}/messages")]
    public static async Task<IResult> Send(Guid id, SendMessageBody body, [FromHeader(Name = "X-User")] string user, IDocumentSession session,
        CancellationToken ct)
    {
        var messageId = body.MessageId ?? Guid.CreateVersion7().ToString();
        await session.Events.AppendExclusive(id, ct, new MessageSent(id, messageId, user, body.Text, DateTimeOffset.UtcNow));
        return Results.Created($"/conversations/{id}", new MessageCreated(messageId));
    }
}
