using System.Diagnostics;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using Xunit.Abstractions;
using static DenseNetGen.Runtime.Tests.Kernels.TestPlans;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>A test that runs only when DENSENET_MEASURE=1: measurements are for choosing kernels, not for CI.</summary>
public sealed class MeasurementFactAttribute : FactAttribute
{
    public MeasurementFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("DENSENET_MEASURE") != "1")
            Skip = "Measurement; set DENSENET_MEASURE=1 to run.";
    }
}

/// <summary>
/// GFLOP/s of the conv kernels at DenseNet-121-like shapes (block 2, 28x28), on the device TestDevice picks.
/// Prints the numbers and checks sampled outputs against a float64 host computation; asserts no timing.
/// </summary>
public class KernelThroughput(ITestOutputHelper output)
{
    [MeasurementFact]
    public void Conv1x1And3x3()
    {
        Measure(512, 128, 1, 0, 28, batch: 1);
        Measure(128, 32, 3, 1, 28, batch: 1);
        Measure(512, 128, 1, 0, 28, batch: 8);
        Measure(128, 32, 3, 1, 28, batch: 8);
    }

    private void Measure(int inChannels, int outChannels, int kernel, int padding, int size, int batch)
    {
        var random = new Random(1);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var weight = new Tensor("w", [outChannels, inChannels, kernel, kernel], Values(outChannels * inChannels * kernel * kernel));
        var input = new Tensor("input", [batch, inChannels, size, size], Values(batch * inChannels * size * size));
        var plan = Plan([new("input", inChannels), new("output", outChannels)],
            [new ConvOp(0, 0, inChannels, 1, 0, outChannels, kernel, 1, padding, "w", null, null, false)], outputBuffer: 1);
        using var executor = new PlanExecutor(plan, new BoundCheckpoint(new Dictionary<string, Tensor> { ["w"] = weight }, "random", "none", "canonical"),
            TestDevice.Device);

        var result = Run(executor, input);
        int runs = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 2 || runs < 3)
        {
            Run(executor, input);
            runs++;
        }
        double seconds = clock.Elapsed.TotalSeconds / runs;
        double flops = 2.0 * batch * outChannels * size * size * inChannels * kernel * kernel;
        output.WriteLine($"{TestDevice.Device.Kind} conv{kernel}x{kernel} {inChannels}->{outChannels} at {size}x{size} batch {batch}: " +
                         $"{seconds * 1e3:0.00} ms, {flops / seconds / 1e9:0.00} GFLOP/s");

        for (int sample = 0; sample < 20; sample++)
        {
            int n = random.Next(batch), co = random.Next(outChannels), y = random.Next(size), x = random.Next(size);
            double expected = 0;
            for (int ci = 0; ci < inChannels; ci++)
            for (int ky = 0; ky < kernel; ky++)
            for (int kx = 0; kx < kernel; kx++)
            {
                int iy = y + ky - padding, ix = x + kx - padding;
                if (iy < 0 || iy >= size || ix < 0 || ix >= size) continue;
                expected += (double)weight.Data[((co * inChannels + ci) * kernel + ky) * kernel + kx] *
                            input.Data[((n * inChannels + ci) * size + iy) * size + ix];
            }
            Assert.Equal(expected, result[((n * outChannels + co) * size + y) * size + x], 3);
        }
    }
}
