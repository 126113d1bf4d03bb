using Microsoft.EntityFrameworkCore;

namespace Backchannel.Bench.EfCore;

public sealed class Conversation
{
    public Guid Id { get; set; }
    public string StartedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public int MessageCount { get; set; }
    public string? LastMessageId { get; set; }
    public string? LastMessageAuthor { get; set; }
    public string? LastMessageText { get; set; }
    public DateTimeOffset? LastMessageAt { get; set; }
    /// <summary>PostgreSQL's <c>xmin</c>: two senders who loaded the same row cannot both count their message.</summary>
    public uint Version { get; set; }
    public List<Member> Members { get; set; } = [];
}

public sealed class Member
{
    public Guid ConversationId { get; set; }
    public string UserId { get; set; } = "";
    public int UnreadCount { get; set; }
}

public sealed class Message
{
    public string Id { get; set; } = "";
    public Guid ConversationId { get; set; }
    public int Sequence { get; set; }
    public string Author { get; set; } = "";
    public string Text { get; set; } = "";
    public DateTimeOffset SentAt { get; set; }
}

public sealed class ChatDb(DbContextOptions<ChatDb> options) : DbContext(options)
{
    /// <summary>Set once at startup (<c>Peer:Schema</c>): EF Core builds the model once per context type.</summary>
    public static string Schema { get; set; } = "efcore";

    public DbSet<Conversation> Conversations => Set<Conversation>();
    public DbSet<Member> Members => Set<Member>();
    public DbSet<Message> Messages => Set<Message>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        model.HasDefaultSchema(Schema);
        model.Entity<Conversation>(c =>
        {
            c.Property(x => x.Version).IsRowVersion();
            c.HasMany(x => x.Members).WithOne().HasForeignKey(m => m.ConversationId);
        });
        model.Entity<Member>(m =>
        {
            m.HasKey(x => new { x.ConversationId, x.UserId });
            // The inbox: a user's conversations.
            m.HasIndex(x => x.UserId);
        });
        model.Entity<Message>(m =>
        {
            // The thread: a conversation's messages in order.
            m.HasIndex(x => new { x.ConversationId, x.Sequence }).IsUnique();
        });
    }

    /// <summary>Creates the tables in a schema of their own when they are not there yet.</summary>
    public async Task CreateTablesAsync()
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(Schema, "^[a-z_][a-z0-9_]*$"))
            throw new InvalidOperationException($"Peer:Schema '{Schema}' is not a plain schema name.");
        var messages = $"{Schema}.\"Messages\"";
        if (await Database.SqlQuery<bool>($"select to_regclass({messages}) is not null as \"Value\"").SingleAsync()) return;
        var createSchema = "create schema if not exists " + Schema;
        await Database.ExecuteSqlRawAsync(createSchema);
        await Database.ExecuteSqlRawAsync(Database.GenerateCreateScript());
    }
}
