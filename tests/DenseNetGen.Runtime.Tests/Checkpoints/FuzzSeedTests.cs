using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The fuzzer's small seeds (tools/make_fuzz_seeds.py) are real checkpoints: each reads to the tensors PyTorch
/// saved, so afl-fuzz starts from inputs that reach the end of every parser.
/// </summary>
public sealed class FuzzSeedTests
{
    private static readonly string s_seeds = Path.Combine(RepositoryPaths.Root, "tests", "DenseNetGen.Fuzz", "seeds");

    public static TheoryData<string> Seeds() => [.. Directory.GetFiles(s_seeds).Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void SeedReadsToTheSavedTensors(string seed)
    {
        var contents = CheckpointReader.ReadAll(Path.Combine(s_seeds, seed));
        string prefix = seed.Contains("dataparallel", StringComparison.Ordinal) ? "module." : "";
        Func<float, float> stored = seed.Contains("float16", StringComparison.Ordinal) ? v => (float)(Half)v : v => v;
        var expected = Enumerable.Range(0, 6).Select(i => stored(i / 7f)).ToArray();

        Assert.Equal([2, 3], contents.Tensors[prefix + "features.conv0.weight"].Shape);
        Assert.Equal(expected, contents.Tensors[prefix + "features.conv0.weight"].Data);
        Assert.Equal(expected[3..], contents.Tensors[prefix + "features.norm0.running_mean"].Data);
        Assert.Equal([0.5f, -1.25f], contents.Tensors[prefix + "classifier.bias"].Data);
    }
}
