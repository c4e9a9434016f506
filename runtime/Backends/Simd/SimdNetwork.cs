using DenseNetGen.Checkpoints;
using DenseNetGen.Backends.Simd.Winograd;
using DenseNetGen.Planning;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// A plan prepared on the SIMD backend: the program for this process's vector width (weights packed, BatchNorms
/// folded, each dense layer's and transition's BN-ReLU fused into its 1x1 conv, 3x3 convs by Winograd unless
/// DENSENET_CONV3X3=direct), run on the device's workers.
/// </summary>
internal sealed class SimdNetwork : IPreparedNetwork
{
    private readonly ISimdProgram _program;

    public SimdNetwork(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Conv3x3Algorithm conv3x3)
    {
        _program = VectorWidth.Dispatch(new ProgramBuilder(plan, weights, pool, conv3x3));
    }

    /// <summary>The fused steps, in run order (for profiles).</summary>
    public IReadOnlyList<SimdStep> Steps => _program.Steps;

    /// <summary>Bytes of the activation arena for this shape: the memory plan's largest live set.</summary>
    public long ActivationBytes(PlanGeometry geometry) => _program.ActivationBytes(geometry);

    public float[][] Run(ReadOnlySpan<float> input, PlanGeometry geometry, int opCount, ReadOnlySpan<int> read, Action<int>? opFinished)
    {
        var steps = _program.Steps;
        _program.Run(input, geometry, opCount, opFinished is null ? null : s =>
        {
            // The ops of a fused step finish together.
            for (int op = steps[s].FirstOp; op <= steps[s].LastOp; op++) opFinished(op);
        });
        var results = new float[read.Length][];
        for (int r = 0; r < read.Length; r++) results[r] = _program.Read(read[r], geometry);
        return results;
    }

    public void Dispose() => _program.Dispose();

    private sealed class ProgramBuilder(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Conv3x3Algorithm conv3x3) : IWidthUser<ISimdProgram>
    {
        public ISimdProgram Use<TVec>() where TVec : struct, IVec<TVec> => new SimdProgram<TVec>(plan, weights, pool, conv3x3);
    }
}
