using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Planning;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Ops;

/// <summary>
/// One plan op on an ILGPU accelerator: holds its weights in the layout its kernels read (disposed with it) and
/// turns the op's shape for one input into a launch.
/// </summary>
internal interface IIlgpuOp : IDisposable
{
    void Launch(in IlgpuLaunch launch, in OpShape shape);

    /// <summary>Device memory of the op's parameters.</summary>
    long Bytes { get; }
}

/// <summary>What every launch in one run shares.</summary>
internal readonly record struct IlgpuLaunch(AcceleratorStream Stream, IKernelSet Kernels, ActivationBuffers Activations, int Batch);
