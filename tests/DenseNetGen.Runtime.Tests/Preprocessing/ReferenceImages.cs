using System.IO.Compression;
using System.Text.Json;

namespace DenseNetGen.Runtime.Tests.Preprocessing;

/// <summary>The committed images and OpenCV reference tensors made by tools/make_preprocess_references.py.</summary>
internal static class ReferenceImages
{
    public static string Directory { get; } = RepositoryPaths.References("images");

    public static string PathOf(string name) => Path.Combine(Directory, name);

    public static IReadOnlyList<ReferenceCase> Cases { get; } = LoadCases();

    public static ReferenceCase Case(string name) => Cases.Single(c => c.Case == name);

    public static float[] Tensor(ReferenceCase c)
    {
        using var gz = new GZipStream(File.OpenRead(PathOf(c.Tensor)), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gz.CopyTo(buffer);
        var bytes = buffer.ToArray();
        var values = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }


    private static IReadOnlyList<ReferenceCase> LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("references.json")));
        var options = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
        return doc.RootElement.GetProperty("cases").Deserialize<ReferenceCase[]>(options)!;
    }
}

internal sealed record ReferenceCase(
    string Case, string Image, float[] Mean, float[] Std, int Resize, int Crop,
    int[] Shape, int[] Resized, int[] CropOffset, string Tensor)
{
    public override string ToString() => Case;
}
