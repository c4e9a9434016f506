using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Runtime.Tests.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// The 1x1 conv GEMM (packing with the BN-ReLU prologue and the transition's 2x2 average, the micro-kernel over the
/// weight panels, bias, ReLU and the store) against PyTorch on the cases tools/make_kernel_references.py writes: every
/// width (14-row tiles at 512 bits, 6-row at 256 and 128), on three threads, and tiled for one thread (panels shared
/// among the tiles of a group) with the tiles run last to first, an order a scheduler may pick: a tile that wrote
/// past its own panels would overwrite a neighbour's finished outputs. Only the conv's own channels are written.
/// </summary>
public sealed class PointwiseConvTests
{
    public static IEnumerable<object[]> Cases()
    {
        // name, inOffset, inChannels, outChannels, relu, average2x2, outOffset, destination channels
        object[][] convs =
        [
            ["simd_pointwise_offsets", 5, 37, 40, true, false, 21, 70],
            ["simd_pointwise_transition", 0, 20, 10, false, true, 3, 16],
            ["simd_pointwise_aligned_few_pixels", 16, 16, 5, true, false, 13, 20],
            ["simd_pointwise_average_wide_out", 2, 6, 33, false, true, 0, 33],
            ["simd_pointwise_prologue_second_block", 19, 30, 7, false, false, 9, 16],
        ];
        foreach (int threads in new[] { 1, 3 }) // 1: tiles run in reverse on the test's thread
            foreach (int width in new[] { 512, 256, 128 })
                foreach (var conv in convs)
                    yield return [.. conv, threads, width];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvMatchesTorchAndWritesOnlyItsChannels(string name, int inOffset, int inChannels, int outChannels, bool relu,
        bool average2x2, int outOffset, int destinationChannels, int threads, int width)
    {
        var reference = KernelReference.Load(name);
        var input = reference["input"];
        var output = reference["output"];
        var source = BlockedBuffer.From(input, input.Shape[1], 0);
        var destination = new BlockedBuffer(output.Shape[0], destinationChannels, output.Shape[2], output.Shape[3]);
        bool prologue = reference.Tensors.ContainsKey("prologue.scale");
        var conv = new Conv(reference["conv.weight"].Data, reference["conv.bias"].Data, inOffset, inChannels, outOffset, outChannels,
            prologue ? reference["prologue.scale"].Data : null, prologue ? reference["prologue.shift"].Data : null,
            average2x2, relu, source, destination, threads);

        Action run = width switch
        {
            512 => conv.Run<Vec512>,
            256 => conv.Run<Vec256>,
            _ => conv.Run<Vec128>,
        };
        run();

        ParityAssert.Close(output.Data, destination.Channels(outOffset, outChannels), $"{name} at {width} bits on {threads} threads");
        destination.AssertUntouchedOutside(outOffset, outChannels);
    }

    [Fact]
    public void ScratchTooSmallIsRefused()
    {
        using var weights = new PointwiseWeights<Vec128>(new float[2 * 3], new float[2], 0, 3, 0, 2, null, null);
        long needed = PointwiseConv<Vec128>.ScratchFloats(weights);
        using var scratch = new NativeBuffer(needed);
        using var buffer = new NativeBuffer(16 * 4);
        unsafe
        {
            var error = Assert.Throws<ArgumentException>(() => new PointwiseConv<Vec128>(weights, false, false, 1,
                buffer.Pointer, 3, 2, 2, buffer.Pointer, 2, 2, 2, scratch.Pointer, needed - 1, 1));
            Assert.Equal("scratchPerWorker", error.ParamName);
            Assert.StartsWith("scratch too small", error.Message, StringComparison.Ordinal);
            // Exactly the size it names is enough: 4 pixels are one row group, 2 output channels one panel.
            Assert.Equal(1, new PointwiseConv<Vec128>(weights, false, false, 1, buffer.Pointer, 3, 2, 2, buffer.Pointer, 2, 2, 2,
                scratch.Pointer, needed, 1).TileCount);
        }
    }

    private sealed unsafe record Conv(float[] Weights, float[] Bias, int InOffset, int InChannels, int OutOffset, int OutChannels,
        float[]? Scale, float[]? Shift, bool Average2x2, bool Relu, BlockedBuffer Source, BlockedBuffer Destination, int Threads)
    {
        /// <summary>
        /// Runs the conv on a pool of <see cref="Threads"/> workers, each packing into its own scratch; on one thread,
        /// the tiles last to first on this thread (worker 0's scratch).
        /// </summary>
        public void Run<TVec>() where TVec : struct, IVec<TVec>
        {
            using var weights = new PointwiseWeights<TVec>(Weights, Bias, InOffset, InChannels, OutOffset, OutChannels, Scale, Shift);
            long perWorker = PointwiseConv<TVec>.ScratchFloats(weights);
            using var scratch = new NativeBuffer(perWorker * Threads);
            var conv = new PointwiseConv<TVec>(weights, Average2x2, Relu, Source.Batch, Source.Pointer, Source.Capacity, Source.Height, Source.Width,
                Destination.Pointer, Destination.Capacity, Destination.Height, Destination.Width, scratch.Pointer, perWorker, Threads);
            if (Threads == 1)
            {
                for (int tile = conv.TileCount - 1; tile >= 0; tile--) conv.RunTile(tile);
                return;
            }
            using var pool = new WorkerPool(Threads, spin: true);
            pool.Run(conv);
        }
    }
}
