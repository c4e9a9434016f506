using System.CommandLine;
using System.Diagnostics;
using System.Runtime.Intrinsics;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Kernels;
using DenseNetGen.Backends.Simd.Winograd;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// GFLOP/s of the SIMD backend's kernels on DenseNet121's 3x3 shapes and its stem, batch 1, at every vector width the
/// machine accelerates and each thread count: the direct conv on every shape, the 1x1 GEMM (with a dense layer's
/// BN-ReLU prologue) on 1x1 shapes, Winograd's F(2x2) and F(4x4) on the 3x3 ones (their figures count the direct
/// conv's FLOPs, so they compare as speed), each after <see cref="JitWarmup"/>, beside ONNX Runtime's Conv on the same
/// shape (NCHW in and out, all graph optimizations, so its NCHWc reorders are included) when
/// tools/export_conv_onnx.py has written it. A narrower width runs as this process compiles it (in an AVX-512 process
/// a 256-bit kernel may use the EVEX encodings; `DOTNET_EnableAVX512=0` times the AVX2 build).
/// </summary>
internal static class KernelsCommand
{
    private sealed record Shape(int InChannels, int OutChannels, int Size, int Kernel, int Stride, int Padding)
    {
        public string Name => $"conv{Kernel}x{Kernel}_s{Stride}_{InChannels}to{OutChannels}_{Size}";
    }

    private static readonly Shape[] Shapes =
        [new(128, 32, 56, 3, 1, 1), new(128, 32, 28, 3, 1, 1), new(128, 32, 14, 3, 1, 1), new(128, 32, 7, 3, 1, 1), new(3, 64, 224, 7, 2, 3)];

    public static Command Create()
    {
        var threads = new Option<int[]>("--threads", "-t") { Description = "Thread counts", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var iterations = new Option<int>("--iterations", "-n") { Description = "Timed runs per case", DefaultValueFactory = _ => 50 };
        var shapes = new Option<string[]>("--shapes", "-s")
        {
            Description = "Convs as inChannels:outChannels:size:kernel:stride:padding, comma-separated (default: DenseNet121's 3x3 stages and stem)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("kernels", "GFLOP/s of the SIMD conv kernels on DenseNet121's shapes, beside ONNX Runtime's Conv") { threads, iterations, shapes };
        command.SetAction(parsed =>
        {
            int runs = parsed.GetValue(iterations);
            var counts = parsed.GetValue(threads)!;
            if (runs < 1 || counts.Any(t => t < 1)) throw new ArgumentException("--iterations and --threads must be at least 1.");
            var selected = Parse(parsed.GetValue(shapes));
            Console.WriteLine($"batch 1, median of {runs}; {Environment.ProcessorCount} cores; load average {BenchOptions.LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
            Console.WriteLine($"{"shape",-28}{"threads",8}{"runner",14}{"median ms",11}{"GFLOP/s",9}");
            foreach (var shape in selected)
                foreach (int count in counts)
                {
                    if (Vector512.IsHardwareAccelerated) ReportWidth<Vec512>(shape, count, runs);
                    if (Vector256.IsHardwareAccelerated) ReportWidth<Vec256>(shape, count, runs);
                    ReportWidth<Vec128>(shape, count, runs);
                    string onnx = Path.Combine(RepositoryFiles.Artifacts(), shape.Name + ".onnx");
                    if (File.Exists(onnx)) Report(shape, count, "onnxruntime", TimeOnnx(onnx, shape, count, runs));
                }
            return 0;
        });
        return command;
    }

    /// <summary>Every kernel that fits <paramref name="shape"/> at <typeparamref name="TVec"/>'s width, one line each.</summary>
    private static void ReportWidth<TVec>(Shape shape, int count, int runs) where TVec : struct, IVec<TVec>
    {
        int bits = TVec.Count * 32;
        Report(shape, count, $"simd {bits}", TimeDirect<TVec>(shape, count, runs));
        if (shape is { Kernel: 1, Stride: 1, Padding: 0 })
            Report(shape, count, $"gemm {bits}", TimePointwise<TVec>(shape, count, runs));
        if (shape is { Kernel: 3, Stride: 1, Padding: 1 })
        {
            Report(shape, count, $"F(2x2) {bits}", TimeWinograd<TVec, WinogradF2>(shape, count, runs));
            Report(shape, count, $"F(4x4) {bits}", TimeWinograd<TVec, WinogradF4>(shape, count, runs));
        }
    }

    private static Shape[] Parse(string[]? lists)
    {
        var items = (lists ?? []).SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
        if (items.Length == 0) return Shapes;
        return [.. items.Select(item =>
        {
            var parts = item.Split(':');
            if (parts.Length != 6 || !parts.All(p => int.TryParse(p, out int v) && v >= 0) || parts[..5].Any(p => int.Parse(p) < 1))
                throw new ArgumentException($"--shapes: '{item}' is not inChannels:outChannels:size:kernel:stride:padding with positive sizes.");
            var v = parts.Select(int.Parse).ToArray();
            return new Shape(v[0], v[1], v[2], v[3], v[4], v[5]);
        })];
    }

    private static void Report(Shape shape, int threads, string runner, double ms)
    {
        int outSize = (shape.Size + 2 * shape.Padding - shape.Kernel) / shape.Stride + 1;
        double flops = 2.0 * outSize * outSize * shape.OutChannels * shape.InChannels * shape.Kernel * shape.Kernel;
        Console.WriteLine($"{shape.Name,-28}{threads,8}{runner,14}{ms,11:0.000}{flops / ms / 1e6,9:0.0}");
    }

    /// <summary>Builds the op under test on <paramref name="source"/> and <paramref name="destination"/>; what it allocates goes into <paramref name="owned"/>.</summary>
    private unsafe delegate ISimdLaunch OpFactory(float* source, float* destination, float[] weight, List<IDisposable> owned);

    private static unsafe double TimeDirect<TVec>(Shape s, int threads, int runs) where TVec : struct, IVec<TVec> =>
        Time(s, threads, runs, (source, destination, weight, _) => new DirectConv<TVec>(Conv(s), source, destination,
            ConvWeights.Pack(weight, new float[s.OutChannels], s.OutChannels, s.InChannels, s.Kernel, 0), [], [], relu: true));

    /// <summary>The 1x1 GEMM the network runs its 1x1 convs with, with a BN-ReLU prologue as a dense layer's.</summary>
    private static unsafe double TimePointwise<TVec>(Shape s, int threads, int runs) where TVec : struct, IVec<TVec> =>
        Time(s, threads, runs, (source, destination, weight, owned) =>
        {
            var weights = Owned(owned, new PointwiseWeights<TVec>(weight, new float[s.OutChannels], 0, s.InChannels, 0, s.OutChannels,
                Enumerable.Repeat(0.5f, s.InChannels).ToArray(), Enumerable.Repeat(0.1f, s.InChannels).ToArray()));
            var scratch = Owned(owned, new WorkerScratch(PointwiseConv<TVec>.ScratchFloats(weights), threads));
            return new PointwiseConv<TVec>(weights, false, true, 1, source, s.InChannels, s.Size, s.Size,
                destination, s.OutChannels, s.Size, s.Size, scratch.Pointer, scratch.Stride, threads);
        });

    private static unsafe double TimeWinograd<TVec, TTile>(Shape s, int threads, int runs) where TVec : struct, IVec<TVec> where TTile : struct, IWinogradTile =>
        Time(s, threads, runs, (source, destination, weight, owned) =>
        {
            var weights = Owned(owned, new WinogradWeights<TVec, TTile>(weight, new float[s.OutChannels], 0, s.InChannels, 0, s.OutChannels));
            var scratch = Owned(owned, new WorkerScratch(WinogradConv<TVec, TTile>.ScratchFloats(weights.Layout.KBlocks), threads));
            return new WinogradConv<TVec, TTile>(weights, true, 1, source, s.InChannels, destination, s.OutChannels, s.Size, s.Size,
                scratch.Pointer, scratch.Stride, threads);
        });

    private static T Owned<T>(List<IDisposable> owned, T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    private static ConvShape Conv(Shape s) =>
        new(1, s.Size, s.Size, s.InChannels, 0, s.InChannels, s.OutChannels, 0, s.OutChannels, s.Kernel, s.Stride, s.Padding);

    /// <summary>The median of <paramref name="runs"/> launches of one op on a random source and random weights, on a pool of <paramref name="threads"/>.</summary>
    private static unsafe double Time(Shape s, int threads, int runs, OpFactory make)
    {
        var conv = Conv(s);
        var source = new PinnedFloats(Blocked.Length(1, s.InChannels, s.Size, s.Size));
        var destination = new PinnedFloats(Blocked.Length(1, s.OutChannels, conv.OutHeight, conv.OutWidth));
        var random = new Random(1);
        foreach (ref float v in source.Span) v = random.NextSingle() - 0.5f;
        var weight = new float[s.OutChannels * s.InChannels * s.Kernel * s.Kernel];
        foreach (ref float v in weight.AsSpan()) v = random.NextSingle() - 0.5f;
        var owned = new List<IDisposable>();
        try
        {
            var op = make(source.Pointer, destination.Pointer, weight, owned);
            using var pool = new WorkerPool(threads, spin: true);
            return Median(runs, () => pool.Run(op));
        }
        finally
        {
            foreach (var item in owned) item.Dispose();
            GC.KeepAlive(source); // the op holds raw pointers only
            GC.KeepAlive(destination);
        }
    }

    private static double TimeOnnx(string path, Shape s, int threads, int runs)
    {
        Thread.Sleep(100); // the worker pool's spinning threads go to sleep after their spin budget
        using var options = new SessionOptions { IntraOpNumThreads = threads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        using var session = new InferenceSession(path, options);
        var input = new DenseTensor<float>(new float[s.InChannels * s.Size * s.Size], [1, s.InChannels, s.Size, s.Size]);
        NamedOnnxValue[] feeds = [NamedOnnxValue.CreateFromTensor("input", input)];
        return Median(runs, () => { using var results = session.Run(feeds); });
    }

    private static double Median(int runs, Action run)
    {
        // Until tiered compilation has replaced the kernels' tier-0 helpers (Winograd's F(4x4) at 56x56 timed 0.80 ms
        // on one thread after three runs, 0.44 once rejitted).
        JitWarmup.Run(3, run);
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            run();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return QuickCommand.Median(times);
    }
}
