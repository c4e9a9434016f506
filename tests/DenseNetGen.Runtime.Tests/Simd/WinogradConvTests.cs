using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Runtime.Tests.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The Winograd 3x3 convs (weight transform, input transform, the GEMM per element, output transform) against
/// PyTorch's conv2d on the cases tools/make_kernel_references.py writes: every tile at every width, inside the
/// parity bar, writing only the conv's own channels, on three threads and tiled for one with the tiles run last to
/// first (an order a scheduler may pick: a tile storing past its own panels would overwrite a neighbour's outputs).
/// </summary>
public sealed class WinogradConvTests
{
    public static IEnumerable<object[]> Cases()
    {
        // name, inOffset, inChannels, outChannels, relu, outOffset, destination channels
        object[][] convs =
        [
            ["simd_winograd3x3_edges", 3, 35, 40, true, 21, 70],
            ["simd_winograd3x3_bottleneck7x7", 0, 128, 32, false, 992, 1024],
            ["simd_conv3x3_offsets", 5, 37, 12, true, 21, 40],
            ["simd_conv3x3_wide_out", 0, 17, 48, false, 16, 70],
            ["simd_conv3x3_one_channel_stem", 0, 1, 24, true, 0, 36],
            ["simd_conv3x3_second_block", 19, 30, 20, false, 5, 40],
        ];
        foreach (int threads in new[] { 1, 3 }) // 1: tiles run in reverse on the test's thread
            foreach (int tile in new[] { 2, 4 })
                foreach (int width in new[] { 512, 256, 128 })
                    foreach (var conv in convs)
                        yield return [.. conv, tile, width, threads];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvMatchesTorchAndWritesOnlyItsChannels(
        string name, int inOffset, int inChannels, int outChannels, bool relu, int outOffset, int destinationChannels, int tile, int width, int threads)
    {
        var reference = KernelReference.Load(name);
        var input = reference["input"];
        var output = reference["output"];
        var source = BlockedBuffer.From(input, input.Shape[1], 0);
        // The channels the conv does not read: the input transform mixes pixels, not channels, so only the zero
        // weights stand between them and the output, and ±MaxValue overflows the transform to ±∞ (times 0: NaN).
        source.PoisonOutside(inOffset, inChannels);
        var destination = new BlockedBuffer(output.Shape[0], destinationChannels, output.Shape[2], output.Shape[3]);
        var conv = new Conv(reference["conv.weight"].Data, reference["conv.bias"].Data, inOffset, inChannels, outOffset, outChannels, relu, source, destination, threads);

        Action run = (tile, width) switch
        {
            (2, 512) => conv.Run<Vec512, WinogradF2>,
            (2, 256) => conv.Run<Vec256, WinogradF2>,
            (2, _) => conv.Run<Vec128, WinogradF2>,
            (_, 512) => conv.Run<Vec512, WinogradF4>,
            (_, 256) => conv.Run<Vec256, WinogradF4>,
            _ => conv.Run<Vec128, WinogradF4>,
        };
        run();

        ParityAssert.Close(output.Data, destination.Channels(outOffset, outChannels), $"{name}, F({tile}x{tile},3x3) at {width} bits on {threads} threads", Tolerance.Winograd);
        destination.AssertUntouchedOutside(outOffset, outChannels);
    }

    [Fact]
    public unsafe void ScratchTooSmallIsRefused()
    {
        using var weights = new WinogradWeights<Vec128, WinogradF2>(new float[2 * 3 * 9], new float[2], 0, 3, 0, 2);
        long needed = WinogradConv<Vec128, WinogradF2>.ScratchFloats(weights.Layout.KBlocks);
        var source = new BlockedBuffer(1, 3, 4, 4);
        var destination = new BlockedBuffer(1, 2, 4, 4);
        using var scratch = new NativeBuffer(needed);
        var error = Assert.Throws<ArgumentException>(() => new WinogradConv<Vec128, WinogradF2>(weights, false, 1, source.Pointer, 3,
            destination.Pointer, 2, 4, 4, scratch.Pointer, needed - 1, 1));
        Assert.Equal("scratchPerWorker", error.ParamName);
        Assert.StartsWith("scratch too small", error.Message);
    }

    [Fact]
    public void EachTransformElementIsPackedLikeTheFirst()
    {
        // α² elements of the same 1x1 layout: F(2x2) 16, F(4x4) 36.
        using var f2 = new WinogradWeights<Vec256, WinogradF2>(new float[40 * 35 * 9], new float[40], 3, 35, 21, 40);
        using var f4 = new WinogradWeights<Vec256, WinogradF4>(new float[40 * 35 * 9], new float[40], 3, 35, 21, 40);
        Assert.True(f2.Layout.Bytes > 0);
        Assert.Equal(16 * f2.Layout.Bytes, f2.Bytes);
        Assert.Equal(36 * f4.Layout.Bytes, f4.Bytes);
        Assert.Equal(("F(2x2,3x3)", "F(4x4,3x3)"), (WinogradF2.Name, WinogradF4.Name));
    }

    [Fact]
    public void ABiasOfTheWrongCountIsRefused()
    {
        // The first element's weights refuse it, and the refusal reaches the caller.
        var error = Assert.Throws<ArgumentException>(() => new WinogradWeights<Vec128, WinogradF2>(new float[2 * 3 * 9], new float[1], 0, 3, 0, 2));
        Assert.StartsWith("Expected 2x3 weights, 2 biases and 3 scales and shifts or none; got 6, 1, 0 and 0.", error.Message);
    }

    [Fact]
    public void WeightsOfTheWrongSizeAreRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => new WinogradWeights<Vec128, WinogradF2>(new float[10], new float[2], 0, 3, 0, 2));
        Assert.Contains("2x3x3x3", error.Message);
    }

    private sealed unsafe record Conv(float[] Weights, float[] Bias, int InOffset, int InChannels, int OutOffset, int OutChannels, bool Relu,
        BlockedBuffer Source, BlockedBuffer Destination, int Threads)
    {
        /// <summary>
        /// Runs the conv on a pool of <see cref="Threads"/> workers, so tiles run concurrently with their own scratch;
        /// on one thread, the tiles last to first on this thread (worker 0's scratch).
        /// </summary>
        public void Run<TVec, TTile>() where TVec : struct, IVec<TVec> where TTile : struct, IWinogradTile
        {
            int threads = Threads;
            using var weights = new WinogradWeights<TVec, TTile>(Weights, Bias, InOffset, InChannels, OutOffset, OutChannels);
            long perWorker = WinogradConv<TVec, TTile>.ScratchFloats(weights.Layout.KBlocks);
            using var scratch = new NativeBuffer(perWorker * threads);
            var conv = new WinogradConv<TVec, TTile>(weights, Relu, Source.Batch, Source.Pointer, Source.Capacity,
                Destination.Pointer, Destination.Capacity, Source.Height, Source.Width, scratch.Pointer, perWorker, threads);
            if (threads == 1)
            {
                for (int tile = conv.TileCount - 1; tile >= 0; tile--) conv.RunTile(tile);
                return;
            }
            using var pool = new WorkerPool(threads, spin: true);
            pool.Run(conv);
        }
    }
}
