using System.Text.Json;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The files tools/make_checkpoints.py wrote with PyTorch, the manifest of their net and the checksums
/// PyTorch computed for every tensor.
/// </summary>
internal static class ReferenceCheckpoints
{
    public static string Directory { get; } = RepositoryPaths.References("checkpoints");

    public static string PathOf(string file) => System.IO.Path.Combine(Directory, file);

    public static byte[] Bytes(string file) => File.ReadAllBytes(PathOf(file));

    /// <summary>The generated plan of the reference net (tests/specs/odd-imagenet.densenet.json).</summary>
    public static NetworkPlan Plan => OddImageNet.Definition;

    public static IReadOnlyDictionary<string, Checksum> Float32Checksums { get; } = LoadChecksums("float32");

    public static IReadOnlyDictionary<string, Checksum> Float16Checksums { get; } = LoadChecksums("float16");

    public static string PwnedMarker { get; } = Json("checksums.json").RootElement.GetProperty("pwnedMarker").GetString()!;

    /// <summary>The reference plan with another manifest, for the strictness tests.</summary>
    public static NetworkPlan PlanWith(IReadOnlyList<ParameterInfo> parameters) => Plan with { Parameters = parameters };

    /// <summary>The manifest PyTorch wrote beside the files (names and shapes in state_dict order).</summary>
    public static IReadOnlyList<ParameterInfo> PyTorchManifest { get; } =
        [.. Json("manifest.json").RootElement.GetProperty("parameters").EnumerateArray()
            .Select(p => new ParameterInfo(p.GetProperty("name").GetString()!, [.. p.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())]))];

    private static Dictionary<string, Checksum> LoadChecksums(string section) =>
        Json("checksums.json").RootElement.GetProperty(section).EnumerateObject().ToDictionary(
            p => p.Name,
            p => new Checksum(p.Value.GetProperty("sum").GetDouble(), p.Value.GetProperty("sumOfSquares").GetDouble(),
                [.. p.Value.GetProperty("first").EnumerateArray().Select(v => v.GetDouble())]));

    private static JsonDocument Json(string file) => JsonDocument.Parse(File.ReadAllBytes(PathOf(file)));

}

/// <summary>Per-tensor sums PyTorch computed in float64: enough to tell any misread value or order.</summary>
internal sealed record Checksum(double Sum, double SumOfSquares, double[] First)
{
    public void AssertMatches(Tensor tensor)
    {
        double sum = 0, squares = 0;
        foreach (var v in tensor.Data)
        {
            sum += v;
            squares += (double)v * v;
        }
        // Float64 sums of the same float32 values differ only by summation order.
        Assert.True(Math.Abs(sum - Sum) <= 1e-9 * Math.Max(1, SumOfSquares), $"{tensor.Name}: sum {sum} vs PyTorch {Sum}");
        Assert.True(Math.Abs(squares - SumOfSquares) <= 1e-9 * Math.Max(1, SumOfSquares), $"{tensor.Name}: sum of squares {squares} vs PyTorch {SumOfSquares}");
        for (var i = 0; i < First.Length; i++) Assert.Equal(First[i], tensor.Data[i]);
    }
}
