using DenseNetGen.Backends;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Checkpoints;
using DenseNetGen.Parity;
using DenseNetGen.Planning;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// DENSENET_CONV3X3: both algorithms give PyTorch's answers, Winograd runs where the choice table puts it (the
/// 28x28 maps of the Fashion-MNIST net at every width) and nowhere under <c>direct</c>, and a bad value is refused.
/// </summary>
public sealed class Conv3x3SettingTests
{
    [Theory]
    [InlineData("winograd", true)]
    [InlineData("direct", false)]
    public void EachAlgorithmGivesPyTorchsAnswersWithTheStepsItNames(string setting, bool winograd)
    {
        var algorithm = Conv3x3Setting.Parse(setting);
        var plan = FashionMnistDenseNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var pool = new WorkerPool(2, spin: true);
        using var network = new SimdNetwork(plan, weights, pool, algorithm);

        Assert.Equal(winograd, network.Steps.Any(s => s.Kind.Contains("Winograd")));
        foreach (var c in ParityReference.Load(RepositoryPaths.References("parity"), plan.Name).Cases)
        {
            var input = DeterministicWeights.Input(c.InputShape[0], c.InputShape[1], c.InputShape[2], c.InputShape[3]);
            var geometry = PlanGeometry.Compute(plan, c.Batch, c.InputShape[2], c.InputShape[3]);
            using var shaped = network.ForShape(geometry);
            var logits = shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
            ParityAssert.Close(c.Logits, logits, $"{algorithm} {c}");
        }
    }

    [Theory]
    [InlineData(56, 1, 1, 32, 4)]
    [InlineData(28, 1, 2, 48, 4)]
    [InlineData(14, 1, 1, 32, 2)] // 16 F(4x4) tiles in two groups of 8: F(2x2), 49 tiles, for one panel of outputs
    [InlineData(14, 1, 1, 48, 0)] // DenseNet-161's convs: direct
    [InlineData(14, 2, 1, 32, 2)] // 32 F(4x4) tiles, under the 64 a thread needs
    [InlineData(14, 4, 1, 48, 4)] // 64 tiles on one thread
    [InlineData(14, 4, 2, 32, 2)] // 32 a thread
    [InlineData(14, 4, 2, 48, 0)]
    [InlineData(14, 8, 2, 32, 4)] // 64 a thread: F(4x4) 1.35x faster there
    [InlineData(7, 8, 1, 32, 0)]
    [InlineData(7, 64, 2, 12, 0)]
    public void TheAvx512TileDependsOnTheMapTheBatchTheThreadsAndTheOutputs(int map, int batch, int threads, int outChannels, int tile) =>
        Assert.Equal(tile, WinogradChoice.Tile<Vec512>(map, batch, threads, outChannels));

    /// <summary>The 6-row tile's lines (Vector256 on x86-64, 16 registers): at 7x7, F(2x2) from 32 of its tiles a thread.</summary>
    [Theory]
    [InlineData(56, 1, 2, 32, 4)]
    [InlineData(28, 1, 2, 48, 4)]
    [InlineData(14, 1, 2, 48, 2)]
    [InlineData(7, 1, 2, 32, 0)]  // 16 F(2x2) tiles: 8 a thread
    [InlineData(7, 2, 1, 32, 2)]  // 32 on one thread
    [InlineData(7, 2, 2, 32, 0)]  // 16 a thread
    [InlineData(7, 4, 2, 48, 2)]  // 32 a thread
    [InlineData(7, 8, 2, 32, 2)]
    [InlineData(6, 64, 2, 32, 0)] // below the smallest map
    public void TheSixRowTileDependsOnTheMapAndTheTilesPerThread(int map, int batch, int threads, int outChannels, int tile)
    {
        Assert.Equal(6, MicroKernel<Vec256>.Rows);
        Assert.Equal(tile, WinogradChoice.Tile<Vec256>(map, batch, threads, outChannels));
    }

    /// <summary>
    /// One program bound at batch 1, 16, then 1 again (the arena grows, the launches are rebound): every shape gives
    /// the direct conv's answers within Winograd's bar, and each 3x3 conv step names the tile
    /// <see cref="WinogradChoice"/> gives its map at that batch (at 512 bits, the net's 12-output convs at 14x14: F(2x2) at batch 1, F(4x4) at batch 16 on the test's two threads).
    /// </summary>
    [Fact]
    public void EachShapeRunsTheTileChosenForItsMapAndBatch()
    {
        var plan = FashionMnistDenseNet.Definition;
        var weights = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var pool = new WorkerPool(2, spin: true);
        using var winograd = new SimdNetwork(plan, weights, pool, Conv3x3Algorithm.Winograd);
        using var direct = new SimdNetwork(plan, weights, pool, Conv3x3Algorithm.Direct);
        var kindsAt14 = new List<string>();
        foreach (int batch in new[] { 1, 16, 1 })
        {
            var geometry = PlanGeometry.Compute(plan, batch, plan.InputSize, plan.InputSize);
            var input = DeterministicWeights.Input(batch, plan.InChannels, plan.InputSize, plan.InputSize);
            using var shaped = winograd.ForShape(geometry);
            using var reference = direct.ForShape(geometry);
            var logits = shaped.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
            var expected = reference.Run(input, plan.Ops.Count, [plan.OutputBuffer], null)[0];
            ParityAssert.Close(expected, logits, $"batch {batch}", Tolerance.Winograd);
            foreach (var step in winograd.Steps)
                if (plan.Ops[step.FirstOp] is ConvOp { Kernel: 3, Stride: 1 } && geometry.Ops[step.FirstOp].InHeight == 14)
                    kindsAt14.Add($"{batch}: {step.Kind}");
        }
        Assert.NotEmpty(kindsAt14);
        if (VectorWidth.Bits == 512)
        {
            Assert.All(kindsAt14, k => Assert.Contains(k.StartsWith("16:", StringComparison.Ordinal) ? "F(4x4,3x3)" : "F(2x2,3x3)", k, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(null, "winograd")]
    [InlineData(" ", "winograd")]
    [InlineData("Direct", "direct")]
    [InlineData("WINOGRAD", "winograd")]
    public void ValuesAreReadCaseInsensitively(string? value, string expected) =>
        Assert.Equal(expected, Conv3x3Setting.Name(Conv3x3Setting.Parse(value)));

    [Fact]
    public void AnUnknownValueIsRefusedNamingTheChoices()
    {
        var error = Assert.Throws<InvalidSettingException>(() => Conv3x3Setting.Parse("fft"));
        Assert.Equal("DENSENET_CONV3X3", error.Setting);
        Assert.Equal("DENSENET_CONV3X3: unknown 3x3 conv algorithm 'fft'; expected winograd or direct.", error.Message);
    }
}
