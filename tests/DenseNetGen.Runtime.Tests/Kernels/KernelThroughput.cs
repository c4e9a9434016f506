using System.Diagnostics;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;
using ILGPU.Runtime;
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

    /// <summary>
    /// Where a DenseNet-121 forward (1x3x224x224, deterministic weights) spends its time: each op is launched and
    /// waited for alone, and the times are summed per op kind; also the whole forward as the executor runs it.
    /// </summary>
    [MeasurementFact]
    public void DenseNet121Profile()
    {
        const int batch = 1, size = 224, rounds = 3;
        var plan = DenseNet121.Definition;
        var checkpoint = new BoundCheckpoint(DeterministicWeights.ForManifest(plan.Parameters), "deterministic", "none", "canonical");
        var device = TestDevice.Device;
        var accelerator = device.Accelerator;
        var input = DeterministicWeights.Input(batch, plan.InChannels, size, size);
        var layout = PlanLayout.Compute(plan, batch, size, size);
        using var weights = new DeviceWeights(plan, checkpoint, accelerator);
        var buffers = layout.BufferElements.Select(n => accelerator.Allocate1D<float>(Math.Max(1, n))).ToArray();
        try
        {
            buffers[0].View.SubView(0, input.Length).CopyFromCPU(input);
            var stream = accelerator.DefaultStream;
            var kernels = device.Kernels;
            var times = new Dictionary<string, List<double>>();
            var flops = new Dictionary<string, double>();
            for (int round = 0; round <= rounds; round++)
            {
                var sums = new Dictionary<string, double>();
                for (int i = 0; i < plan.Ops.Count; i++)
                {
                    var clock = Stopwatch.StartNew();
                    string kind;
                    switch (plan.Ops[i])
                    {
                        case ConvOp c:
                            var g = layout.Convs[i];
                            kind = $"conv{c.Kernel}x{c.Kernel}" + (c.FoldedNorm is not null ? "+bn" : "") + (g.OutPixels == 1 ? " (classifier)" : "");
                            kernels.Conv(stream, buffers[c.Source].View, weights.First(i), weights.Second(i), buffers[c.Destination].View, g);
                            if (round == 0) flops[kind] = flops.GetValueOrDefault(kind) + 2.0 * g.MultiplyAdds;
                            break;
                        case BatchNormReluOp n:
                            kind = $"bn-relu {n.Pool}";
                            kernels.BatchNormRelu(stream, buffers[n.Source].View, weights.First(i), weights.Second(i), buffers[n.Destination].View, layout.Pools[i]);
                            break;
                        case MaxPoolOp m:
                            kind = "maxpool";
                            kernels.MaxPool(stream, buffers[m.Source].View, buffers[m.Destination].View, layout.Pools[i]);
                            break;
                        default:
                            throw new NotSupportedException(plan.Ops[i].ToString());
                    }
                    stream.Synchronize();
                    sums[kind] = sums.GetValueOrDefault(kind) + clock.Elapsed.TotalMilliseconds;
                }
                if (round == 0) continue; // compilation and first touch
                foreach (var (kind, ms) in sums)
                    (times.TryGetValue(kind, out var list) ? list : times[kind] = []).Add(ms);
            }
            foreach (var (kind, list) in times.OrderByDescending(t => Median(t.Value)))
            {
                double ms = Median(list);
                output.WriteLine($"{device.Kind} {kind,-22} {ms,9:0.0} ms" +
                                 (flops.TryGetValue(kind, out var f) ? $" {f / ms / 1e6,7:0.00} GFLOP/s" : ""));
            }
            output.WriteLine($"{device.Kind} sum of ops {Enumerable.Range(0, rounds).Sum(r => times.Values.Sum(l => l[r])) / rounds:0.0} ms");
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }

        using var model = DenseNet121.FromTensors(checkpoint.Tensors, device);
        model.Infer(input, batch, size, size);
        var forwards = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            model.Infer(input, batch, size, size);
            forwards.Add(clock.Elapsed.TotalMilliseconds);
        }
        output.WriteLine($"{device.Kind} DenseNet121 forward 1x3x224x224: median {Median(forwards):0.0} ms of {rounds}");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

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
