using DenseNetGen.Checkpoints;
using System.Text.Json;
using DenseNetGen.Planning;

namespace DenseNetGen.Runtime.Tests.Parity;

/// <summary>
/// DeterministicWeights must reproduce tools/deterministic.py exactly, or every parity reference
/// made from it would be compared against different weights.
/// </summary>
public sealed class DeterministicWeightsTests
{
    private static readonly JsonElement Samples = LoadSamples();

    public static TheoryData<string> SampleNames()
    {
        var names = new TheoryData<string>();
        foreach (var t in Samples.GetProperty("tensors").EnumerateArray())
            names.Add(t.GetProperty("name").GetString()!);
        return names;
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void ValuesEqualPythonSamples(string name)
    {
        var sample = Samples.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);
        var shape = Ints(sample.GetProperty("shape"));

        Assert.Equal(sample.GetProperty("fnv1a").GetUInt32(), DeterministicWeights.Fnv1a(name));
        AssertSampled(sample, DeterministicWeights.Values(name, shape));
    }

    [Fact]
    public void InputEqualsPythonSample()
    {
        var sample = Samples.GetProperty("input");
        var s = Ints(sample.GetProperty("shape"));

        AssertSampled(sample, DeterministicWeights.Input(s[0], s[1], s[2], s[3]));
    }

    [Fact]
    public void ForManifestFillsEveryEntryByName()
    {
        ParameterInfo[] manifest =
        [
            new("features.conv0.weight", [64, 3, 7, 7]),
            new("features.norm0.weight", [64]),
            new("classifier.bias", [1000]),
        ];

        var tensors = DeterministicWeights.ForManifest(manifest);

        Assert.Equal(manifest.Select(p => p.Name), tensors.Keys);
        foreach (var p in manifest)
        {
            Assert.Equal(p.Shape, tensors[p.Name].Shape);
            Assert.Equal(DeterministicWeights.Values(p.Name, p.Shape), tensors[p.Name].Data);
        }
    }

    [Fact]
    public void UnknownParameterNamesTheName()
    {
        var error = Assert.Throws<ArgumentException>(() => DeterministicWeights.Values("features.norm5.num_batches_tracked", []));
        Assert.Contains("features.norm5.num_batches_tracked", error.Message);
    }

    private static void AssertSampled(JsonElement sample, float[] actual)
    {
        var indices = Ints(sample.GetProperty("indices"));
        var expected = sample.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        Assert.Equal(expected, indices.Select(i => actual[i]).ToArray());
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static JsonElement LoadSamples()
    {
        var path = Path.Combine(RepositoryPaths.References("parity"), "deterministic_samples.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }
}
