using Shouldly;

namespace Backchannel.Specs.Embedding;

/// <summary>
/// The README's embedding snippet is the sample's code, which scripts/test.sh builds and runs from the packed packages:
/// a change to either without the other fails here, so the snippet cannot go stale.
/// </summary>
public sealed class ReadmeSnippetSpecs
{
    private const string SamplePath = "samples/Backchannel.Sample.Worker/Program.cs";

    [Fact]
    public void the_readme_embedding_snippet_is_the_sample_program()
    {
        var root = RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md")).ReplaceLineEndings("\n");
        var marker = $"<!-- snippet: {SamplePath} -->\n```csharp\n";
        var start = readme.IndexOf(marker, StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"README.md has no block marked '{marker.Trim()}'");
        start += marker.Length;
        var snippet = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        snippet.ShouldBe(File.ReadAllText(Path.Combine(root, SamplePath)).ReplaceLineEndings("\n"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Backchannel.sln"))) return dir.FullName;
        throw new ShouldAssertException($"no Backchannel.sln above {AppContext.BaseDirectory}");
    }
}
