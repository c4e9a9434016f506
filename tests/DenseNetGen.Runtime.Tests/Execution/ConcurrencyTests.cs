using DenseNetGen.Checkpoints;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>One model shared by several threads: calls are serialized, so every caller gets its own input's answer.</summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public void ConcurrentCallsWithDifferentShapesGiveTheSequentialResults()
    {
        using var model = TinyCifarNet.FromTensors(DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters), TestDevice.Device);
        (int Batch, int Height, int Width)[] shapes = [(1, 29, 29), (2, 23, 34), (3, 17, 40), (1, 32, 32)];
        var inputs = shapes.Select(s => DeterministicWeights.Input(s.Batch, 1, s.Height, s.Width)).ToArray();
        var expected = shapes.Select((s, i) => model.Forward(inputs[i], s.Batch, s.Height, s.Width)).ToArray();

        var results = new float[shapes.Length * 8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var (batch, height, width) = shapes[i % shapes.Length];
            results[i] = model.Forward(inputs[i % shapes.Length], batch, height, width);
        });

        for (int i = 0; i < results.Length; i++)
            Assert.Equal(expected[i % shapes.Length], results[i]);
    }

    [Fact]
    public void CallsAfterDisposeAreRefused()
    {
        var model = TinyCifarNet.FromTensors(DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters), TestDevice.Device);
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Forward(DeterministicWeights.Input(1, 1, 29, 29), 1, 29, 29));
    }
}
