namespace DenseNetGen.Runtime.Tests;

/// <summary>The repository the tests run from, found by walking up from the test binaries.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>A folder under tests/references.</summary>
    public static string References(string folder) => Path.Combine(Root, "tests", "references", folder);

    /// <summary>samples/fashion-mnist: the committed Fashion-MNIST test split (IDX, gzipped) and sample PNGs.</summary>
    public static string FashionMnist => Path.Combine(Root, "samples", "fashion-mnist");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "DenseNetGen.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"No DenseNetGen.sln above {AppContext.BaseDirectory}.");
    }
}
