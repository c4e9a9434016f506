using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Levels;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Parity;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Parity;

/// <summary>
/// The SIMD backend in a level library. CI builds the libraries and runs the parity suite with
/// DENSENET_LEVEL_LIBRARY naming each (tools/level-check.sh); everywhere else this JIT process must keep the
/// backend in-process. Either way the cpu device's device line says where the backend runs, and its answer is the
/// in-process backend's: bit for bit at the same width, within the parity bar at another; its failures are the
/// in-process backend's exceptions.
/// </summary>
public sealed class LevelLibraryParityTests
{
    private static readonly string? s_named = Environment.GetEnvironmentVariable(LevelLibrary.EnvironmentVariable);

    [Fact]
    public void TheDeviceLineSaysWhereTheBackendRuns()
    {
        using var device = ComputeDevice.Open(DeviceKind.Cpu);
        if (s_named is null)
        {
            Assert.Null(LevelLibrary.ForProcess);
            Assert.DoesNotContain("level library", device.Description);
            return;
        }
        var library = LevelLibrary.ForProcess;
        Assert.NotNull(library);
        Assert.Equal(Path.GetFileName(s_named), library.Level.FileName);
        Assert.Contains($"{library.Width} from the {library.Level.Name} level library", device.Description);
        Assert.Contains(library.Level.Bits == 512 ? "Vector512" : "Vector256", library.Width);

        // A failure in the library reaches the app as its exception family and message: a plan handed over with
        // fewer tensors than it has parameters.
        var plan = OddImageNet.Definition;
        var backend = library.Open(SimdSettings.Resolve(new ComputeOptions(Threads: 1)));
        try
        {
            var e = Assert.Throws<ArgumentException>(() => library.Prepare(backend, PlanCodec.Write(plan), [new float[1]], "two.pth"));
            Assert.StartsWith($"1 tensors for a plan of {plan.Parameters.Count} parameters.", e.Message);
        }
        finally
        {
            library.Free(backend);
        }
    }

    [Fact]
    public void TheAnswerIsTheInProcessBackends()
    {
        var plan = OddImageNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        var c = ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases[^1];
        var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);

        using var cpu = ComputeDevice.Open(DeviceKind.Cpu, new ComputeOptions(Threads: 2));
        using var executor = new PlanExecutor(plan, weights, cpu);
        var answer = executor.RunWithFeatures(input, c.Batch, c.InputShape[2], c.InputShape[3]).Logits;

        using var backend = SimdBackend.Open(new ComputeOptions(Threads: 2));
        using var network = backend.Prepare(plan, weights);
        using var shaped = network.ForShape(PlanGeometry.Compute(plan, c.Batch, c.InputShape[2], c.InputShape[3]));
        var own = shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];

        ParityAssert.Close(c.Logits, answer, $"{cpu.Description}");
        if (LevelLibrary.ForProcess is not { } library || library.Width == VectorWidth.Name)
            Assert.Equal(own, answer);
        else
            ParityAssert.Close(own, answer, $"{library.Level.Name} against {VectorWidth.Name} in-process");
    }
}
