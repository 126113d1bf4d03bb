using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;

namespace Backchannel.Host.Cli;

/// <summary>
/// What <c>describe</c> shows of the configuration, redacted: JasperFx's preview prints every value of every provider
/// (the signing key, a connection string's password, any secret in the environment). Applied only for
/// <c>describe</c>, once the host is built, so the application itself was composed from the real values.
/// </summary>
public static partial class SecretRedaction
{
    public const string Redacted = "[redacted]";

    public static void Apply(IConfigurationBuilder configuration)
    {
        var sources = configuration.Sources.ToList();
        configuration.Sources.Clear();
        foreach (var source in sources) configuration.Sources.Add(new RedactedSource(source));
    }

    /// <summary>A value whose key names a secret, or the password inside a connection string, replaced.</summary>
    public static string? Redact(string key, string? value)
    {
        if (value is null) return null;
        var name = key[(key.LastIndexOf(':') + 1)..];
        if (SecretName().IsMatch(name)) return Redacted;
        return PasswordPart().Replace(value, m => $"{m.Groups["name"].Value}={Redacted}");
    }

    [GeneratedRegex("key|secret|password|pwd|token|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?<name>password|pwd)\s*=\s*[^;]*", RegexOptions.IgnoreCase)]
    private static partial Regex PasswordPart();

    private sealed class RedactedSource(IConfigurationSource inner) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new RedactedProvider(inner.Build(builder));
    }

    private sealed class RedactedProvider(IConfigurationProvider inner) : IConfigurationProvider
    {
        public bool TryGet(string key, out string? value)
        {
            if (!inner.TryGet(key, out value)) return false;
            value = Redact(key, value);
            return true;
        }

        public void Set(string key, string? value) => inner.Set(key, value);

        public IChangeToken GetReloadToken() => inner.GetReloadToken();

        public void Load() => inner.Load();

        public IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath) => inner.GetChildKeys(earlierKeys, parentPath);

        public override string ToString() => inner.ToString() ?? nameof(RedactedProvider);
    }
}
