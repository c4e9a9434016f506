namespace DenseNetGen.Benchmarks;

/// <summary>
/// Finds folders of the repository by walking up from the current folder and then from the executable, so
/// the tool works from a build output, a `dotnet run` and a published copy next to the repository's files.
/// </summary>
internal static class RepositoryFiles
{
    /// <summary>tests/references/parity.</summary>
    public static string ParityReferences() =>
        Find(Path.Combine("tests", "references", "parity"))
        ?? throw new DirectoryNotFoundException("tests/references/parity not found above the current folder or the executable; pass --references.");

    /// <summary>The git-ignored artifacts/ folder beside specs/, or ./artifacts outside a repository.</summary>
    public static string Artifacts() =>
        Path.Combine(Path.GetDirectoryName(Find("specs")) ?? Environment.CurrentDirectory, "artifacts");

    /// <summary>The repository's root (the folder holding specs/ and tools/), or null outside a repository.</summary>
    public static string? Root() => Find("tools") is { } tools && Directory.Exists(Path.Combine(tools, "..", "specs")) ? Path.GetDirectoryName(tools) : null;

    private static string? Find(string relative)
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (Directory.Exists(candidate)) return candidate;
            }
        return null;
    }
}
