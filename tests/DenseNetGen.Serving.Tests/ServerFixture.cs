using DenseNetGen.Inference;
using DenseNetGen.Zoo;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// One `densenet serve` of the embedded Fashion-MNIST net (body limit 200,000 bytes) shared by the endpoint tests,
/// and the same net in-process as the reference its answers are checked against.
/// </summary>
public sealed class ServerFixture : IDisposable
{
    public const int MaxRequestBytes = 200_000;

    internal ServerProcess Server { get; } = new("--max-request-bytes", MaxRequestBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public ImageClassifier Reference { get; } = DenseNets.Default();

    public static string Sample(string name) => Path.Combine(RepositoryPaths.FashionMnist, name);

    public void Dispose()
    {
        Server.Dispose();
        Reference.Dispose();
    }
}
