using System.Text;
using FluentValidation;
using FluentValidation.Results;

namespace Backchannel.Host.Http;

/// <summary>
/// A JSON body that is the literal <c>null</c> binds as a null command body, which no endpoint can act on: it is
/// refused here as invalid input (400 naming <c>body</c>), the same answer as any other body of the wrong shape.
/// </summary>
public static class NullBodyGuard
{
    private const int Peek = 16;

    public static IApplicationBuilder UseNullBodyGuard(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (http.Request.ContentLength is > 0 and <= Peek && http.Request.HasJsonContentType())
        {
            http.Request.EnableBuffering();
            var buffer = new byte[Peek];
            var read = await http.Request.Body.ReadAtLeastAsync(buffer, Peek, throwOnEndOfStream: false, http.RequestAborted);
            http.Request.Body.Position = 0;
            if (Encoding.UTF8.GetString(buffer, 0, read).Trim() == "null")
                throw new ValidationException([new ValidationFailure("body", "The body must be a JSON object, not null.")]);
        }
        await next(http);
    });
}
