using Microsoft.Extensions.FileProviders;

namespace Backchannel.Host.Http;

/// <summary>
/// Serves the web client (<c>wwwroot/app</c>: plain HTML, CSS and JavaScript modules, no build step) at <c>/app</c>:
/// its files, and its <c>index.html</c> for any other path under it without an extension, so that a client route
/// survives a reload. A middleware branch rather than endpoints: nothing here is an API route, and nothing needs a token.
/// </summary>
public static class WebClient
{
    public const string PathBase = "/app";

    // The client talks to this host only; no inline script, no framing by another site.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static void Use(WebApplication app)
    {
        if (Locate(app.Environment) is not { } root) return;
        var files = new PhysicalFileProvider(root);
        app.Map(PathBase, branch =>
        {
            branch.Use((context, next) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // The client changes with the host: always revalidate, never run a stale module against a new API.
                headers.CacheControl = "no-cache";
                return next(context);
            });
            branch.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            branch.Run(async context =>
            {
                var path = context.Request.Path.Value ?? "";
                if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) || Path.HasExtension(path))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.SendFileAsync(files.GetFileInfo("index.html"), context.RequestAborted);
            });
        });
    }

    /// <summary>
    /// The client's folder: under the web root when the host runs from its project, else beside the assembly (the build
    /// copies it there), which is where a test host or a published host finds it.
    /// </summary>
    private static string? Locate(IWebHostEnvironment environment) =>
        new[] { Path.Combine(environment.WebRootPath ?? Path.Combine(environment.ContentRootPath, "wwwroot"), "app"), Path.Combine(AppContext.BaseDirectory, "wwwroot", "app") }
            .FirstOrDefault(folder => File.Exists(Path.Combine(folder, "index.html")));
}
