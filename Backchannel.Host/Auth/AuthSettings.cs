namespace Backchannel.Host.Auth;

/// <summary>How bearer tokens are signed and checked; section <c>Backchannel:Auth</c>.</summary>
public sealed record AuthSettings
{
    public const string Section = "Backchannel:Auth";

    /// <summary>The HMAC-SHA256 key, at least 32 bytes of UTF-8. Development has one in appsettings.Development.json.</summary>
    public string SigningKey { get; init; } = "";
    public string Issuer { get; init; } = "backchannel";
    public string Audience { get; init; } = "backchannel";
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(12);
}

/// <summary>The claims Backchannel reads from a token.</summary>
public static class BackchannelClaims
{
    /// <summary>The handle of the caller.</summary>
    public const string Subject = "sub";
    public const string Role = "role";
    /// <summary>May read the whole audit.</summary>
    public const string OperatorRole = "operator";
}
