using Backchannel.Bench.EfCore;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// What a team would write for SendMessage without event sourcing: a minimal API endpoint and EF Core on Npgsql, the
// message a row, the conversation's last message and each member's unread count updated in the same SaveChanges,
// optimistic concurrency on the conversation row (EF Core's documented pattern), a pooled DbContext.
var builder = WebApplication.CreateBuilder(args);
ChatDb.Schema = builder.Configuration["Peer:Schema"] ?? ChatDb.Schema;
builder.Services.AddDbContextPool<ChatDb>(options => options.UseNpgsql(builder.Configuration.GetConnectionString("Peer")
    ?? "Host=127.0.0.1;Port=5432;Database=backchannel_bench;Username=backchannel;Password=backchannel"));

var app = builder.Build();
await using (var scope = app.Services.CreateAsyncScope())
    await scope.ServiceProvider.GetRequiredService<ChatDb>().CreateTablesAsync();

// The caller is named by the X-User header: the peers take the product's request without its JWT.
app.MapPost("/conversations", async (StartConversationBody body, [FromHeader(Name = "X-User")] string user, ChatDb db, CancellationToken ct) =>
{
    var now = DateTimeOffset.UtcNow;
    var conversation = new Conversation
    {
        Id = Guid.CreateVersion7(), StartedBy = user, StartedAt = now, MessageCount = 1,
        LastMessageId = Guid.CreateVersion7().ToString(), LastMessageAuthor = user, LastMessageText = body.Text, LastMessageAt = now,
        Members = [new Member { UserId = user }, .. body.To.Select(to => new Member { UserId = to, UnreadCount = 1 })],
    };
    db.Conversations.Add(conversation);
    db.Messages.Add(new Message { Id = conversation.LastMessageId, ConversationId = conversation.Id, Sequence = 1, Author = user, Text = body.Text, SentAt = now });
    await db.SaveChangesAsync(ct);
    return Results.Created($"/conversations/{conversation.Id}", new ConversationCreated(conversation.Id));
});

app.MapPost("/conversations/{id:guid}/messages", async (Guid id, SendMessageBody body, [FromHeader(Name = "X-User")] string user, ChatDb db, CancellationToken ct) =>
{
    var messageId = body.MessageId ?? Guid.CreateVersion7().ToString();
    for (var attempt = 1; ; attempt++)
    {
        var conversation = await db.Conversations.Include(c => c.Members).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null || conversation.Members.All(m => m.UserId != user)) return Results.NotFound();
        var now = DateTimeOffset.UtcNow;
        conversation.MessageCount++;
        (conversation.LastMessageId, conversation.LastMessageAuthor, conversation.LastMessageText, conversation.LastMessageAt) = (messageId, user, body.Text, now);
        foreach (var member in conversation.Members.Where(m => m.UserId != user)) member.UnreadCount++;
        db.Messages.Add(new Message { Id = messageId, ConversationId = id, Sequence = conversation.MessageCount, Author = user, Text = body.Text, SentAt = now });
        try
        {
            await db.SaveChangesAsync(ct);
            return Results.Created($"/conversations/{id}", new MessageCreated(messageId));
        }
        catch (DbUpdateException e) when (attempt < 10 && (e is DbUpdateConcurrencyException || e.InnerException is PostgresException
                                           { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "IX_Messages_ConversationId_Sequence" }))
        {
            // Another sender counted a message in between (seen on the conversation's version, or on the sequence the
            // message row took first): decide again on the row as it is now.
            db.ChangeTracker.Clear();
        }
    }
});

app.Run();

public sealed record StartConversationBody(string[] To, string Text);

public sealed record SendMessageBody(string Text, string? MessageId = null);

public sealed record ConversationCreated(Guid ConversationId);

public sealed record MessageCreated(string MessageId);
