namespace DenseNetGen.Runtime.Tests.Data;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("densenetgen-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
