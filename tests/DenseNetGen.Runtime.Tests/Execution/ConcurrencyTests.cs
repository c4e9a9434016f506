using DenseNetGen.Checkpoints;
using DenseNetGen.Runtime.Tests.Kernels;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// Models shared by several threads: calls on one device are serialized, so every caller gets its own input's answer.
/// </summary>
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

    /// <summary>
    /// Two models on one device share its compiled kernels. OpenCL kernel arguments are state on the kernel object
    /// (clSetKernelArg), so unserialized launches from two threads mix up each other's buffers: on PoCL that gave
    /// wrong outputs and heap corruption.
    /// </summary>
    [Fact]
    public void TwoModelsOnOneDeviceCalledFromManyThreadsGiveTheSequentialResults()
    {
        using var cifar = TinyCifarNet.FromTensors(DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters), TestDevice.Device);
        using var odd = OddImageNet.FromTensors(DeterministicWeights.ForManifest(OddImageNet.Definition.Parameters), TestDevice.Device);
        var cifarInput = DeterministicWeights.Input(2, 1, 29, 29);
        var oddInput = DeterministicWeights.Input(1, OddImageNet.InChannels, 45, 38);
        var expectedCifar = cifar.Forward(cifarInput, 2, 29, 29);
        var expectedOdd = odd.Forward(oddInput, 1, 45, 38);

        var results = new float[400][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
            results[i] = i % 2 == 0 ? cifar.Forward(cifarInput, 2, 29, 29) : odd.Forward(oddInput, 1, 45, 38));

        for (int i = 0; i < results.Length; i++)
            Assert.Equal(i % 2 == 0 ? expectedCifar : expectedOdd, results[i]);
    }

    [Fact]
    public void CallsAfterDisposeAreRefused()
    {
        var model = TinyCifarNet.FromTensors(DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters), TestDevice.Device);
        model.Dispose();

        Assert.Throws<ObjectDisposedException>(() => model.Forward(DeterministicWeights.Input(1, 1, 29, 29), 1, 29, 29));
    }
}
