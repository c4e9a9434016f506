using DenseNetGen.Backends.Ilgpu.KernelSets;
using DenseNetGen.Planning;
using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.Steps;

/// <summary>
/// One plan op on an ILGPU accelerator: holds its weights in the layout its kernels read (disposed with it) and
/// turns the op's shape for one input into a launch of the kernel set's kernel for it.
/// </summary>
internal interface IIlgpuStep : IDisposable
{
    void Launch(in LaunchContext context, in OpShape shape);

    /// <summary>Device memory of the op's parameters.</summary>
    long Bytes { get; }
}

/// <summary>What every launch in one run shares: the stream, the kernels, the activations laid out for the run's shape.</summary>
internal readonly record struct LaunchContext(AcceleratorStream Stream, IKernelSet Kernels, ActivationBuffers Activations, int Batch);
