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

    /// <summary>How the batch of this shape runs (<see cref="BatchSlicing.Choose"/>).</summary>
    public BatchSlicing Slicing(PlanGeometry geometry) => _program.Slicing(geometry);

    /// <summary>Bytes of the activation arena for this shape: the memory plan's largest live set.</summary>
    /// <param name="geometry">The input shape.</param>
    /// <param name="slicing">How the batch runs; null for <see cref="Slicing"/>'s choice.</param>
    public long ActivationBytes(PlanGeometry geometry, BatchSlicing? slicing = null) => _program.ActivationBytes(geometry, slicing);

    /// <summary>Bytes of packed weights: every step's, with the 3x3 convs' kept folded weights and the variants made so far.</summary>
    public long WeightBytes => _program.WeightBytes;

    /// <summary>Bytes of the workers' packing scratch.</summary>
    public long ScratchBytes => _program.ScratchBytes;

    public IShapedNetwork ForShape(PlanGeometry geometry) => _program.ForShape(geometry);

    /// <summary>This shape with its batch run as <paramref name="slicing"/> says, whatever <see cref="Slicing"/> would choose (tests, benchmarks).</summary>
    public IShapedNetwork ForShape(PlanGeometry geometry, BatchSlicing slicing) => _program.ForShape(geometry, slicing);

    public void Dispose() => _program.Dispose();

    private sealed class ProgramBuilder(NetworkPlan plan, BoundCheckpoint weights, WorkerPool pool, Conv3x3Algorithm conv3x3) : IWidthUser<ISimdProgram>
    {
        public ISimdProgram Use<TVec>() where TVec : struct, IVec<TVec> => new SimdProgram<TVec>(plan, weights, pool, conv3x3);
    }
}
