namespace Backchannel.Host.Operations;

/// <summary>
/// Cross-origin access for the app's own web origins (<c>Backchannel:Cors:Origins</c>, validated at start): their
/// preflights are answered, with the methods and headers the API uses; any other origin gets no CORS headers, so a
/// browser refuses it. No origin is allowed unless listed.
/// </summary>
public static class Cors
{
    /// <summary>The headers a browser may send: the token, JSON bodies, the push stream's resume position.</summary>
    public static readonly string[] Headers = ["Authorization", "Content-Type", "Last-Event-ID"];

    /// <summary>The headers a browser may read: where a created resource is, when to retry.</summary>
    public static readonly string[] Exposed = ["Location", "Retry-After"];

    /// <summary>Registers the policy when any origin is listed; returns whether it did.</summary>
    public static bool AddBackchannelCors(this WebApplicationBuilder builder)
    {
        var origins = builder.Configuration.GetSection($"{Domain.Common.BackchannelSettings.Section}:Cors:Origins").Get<string[]>() ?? [];
        if (origins.Length == 0) return false;
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods("GET", "POST", "PUT", "DELETE")
            .WithHeaders(Headers)
            .WithExposedHeaders(Exposed)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return true;
    }

    /// <summary>
    /// True when <paramref name="origin"/> is an origin as a browser sends it: <c>http</c> or <c>https</c>, a host, an
    /// optional port, nothing else (no path, no trailing slash, no wildcard).
    /// </summary>
    public static bool IsOrigin(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && uri.Scheme is "http" or "https"
        && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase);
}
