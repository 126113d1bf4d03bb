using Backchannel.Projections.Push;
using Microsoft.OpenApi;

namespace Backchannel.Host.Http;

/// <summary>
/// Describes <c>GET /me/events</c>: OpenAPI 3.1 has no schema for a stream of Server-Sent Events, so the operation
/// names the resume header, and its 200 the frame format and each <c>event:</c> type (docs/api.md#push-get-meevents).
/// </summary>
internal static class PushStreamDocs
{
    private static readonly (string Event, string When)[] Events =
    [
        (PushFrame.Ready, "First, on a connection without a position: `{\"position\",\"reason\":null}`, resume from here."),
        (PushFrame.Reload, "First, when the given position is older than the feed keeps (`reason: \"expired\"`) or beyond it (`\"unknown_position\"`): reload the views, then go on from `position`."),
        ("conversation", "What you may see of a conversation changed (arrived, a member joined or left, renamed, muted, or it left your lists: `box: null`)."),
        ("message_sent", "A new message: `{\"conversationId\",\"messageId\",\"sequence\",\"author\",\"text\",\"replyTo\",\"at\"}`."),
        ("message_edited", "The author changed a message."),
        ("message_deleted", "The author deleted a message: show a tombstone."),
        ("reaction_added", "A member reacted."),
        ("reaction_withdrawn", "A member took a reaction back."),
        ("messages_read", "A member read up to a message (yours too, for your other devices)."),
        ("thanks_sent", "A thank-you note opened a conversation you are in."),
        ("moderation", "For a room's moderators and speakers: its moderation view changed; re-read it."),
    ];

    public static void Describe(OpenApiOperation operation)
    {
        operation.Parameters ??= [];
        if (!operation.Parameters.Any(p => p.Name == "Last-Event-ID"))
            operation.Parameters.Insert(0, new OpenApiParameter
            {
                Name = "Last-Event-ID",
                In = ParameterLocation.Header,
                Required = false,
                Description = "The `id:` of the last event received: the stream resumes after it, in order and exactly once "
                    + "(browsers' `EventSource` sends it on reconnect). Wins over `lastEventId`.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" },
            });
        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>().Where(p => p.Name == "lastEventId"))
        {
            parameter.Description = "The same as `Last-Event-ID`, for clients that cannot set headers.";
            parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.String, Pattern = "^[0-9]+$" };
        }
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "A `text/event-stream`: first `retry: 2000`, then frames of `id:` (the position, increasing), `event:` (one of "
                + "the types below) and `data:` (one JSON object), and a `: keep-alive` comment every 15 s when idle.\n\n"
                + string.Join("\n", Events.Select(e => $"- `{e.Event}`: {e.When}")),
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/event-stream"] = new()
                {
                    Schema = new OpenApiSchema
                    {
                        Type = JsonSchemaType.String,
                        Description = "Server-Sent Events frames.",
                        Examples = [System.Text.Json.Nodes.JsonValue.Create(
                            "retry: 2000\n\nid: 4711\nevent: ready\ndata: {\"position\":4711,\"reason\":null}\n\n")],
                    },
                },
            },
        };
    }
}
