using DenseNetGen.Backends.Ilgpu.KernelSets;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The CUDA path without a GPU: every kernel goes through ILGPU's PTX backend for sm_80 (what ILGPU 1.5.3 targets on
/// an H100), so a construct the PTX backend rejects fails here rather than on the first GPU a user has.
/// </summary>
public sealed class PtxCompilationTests
{
    public static TheoryData<string> KernelNames() => [.. KernelSetRegistry.AllKernels.Select(k => k.Method.Name)];

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void KernelCompilesToPtxForSm80(string name)
    {
        var kernel = KernelSetRegistry.AllKernels.Single(k => k.Method.Name == name);
        using var context = Context.Create(builder => builder.Cuda());
        var sm80 = CudaArchitecture.SM_80;
        using var backend = new PTXBackend(context, new CudaCapabilityContext(sm80), sm80, CudaInstructionSet.ISA_70, nvvmAPI: null);

        var compiled = (PTXCompiledKernel)backend.Compile(
            EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method), KernelSpecialization.Empty);

        var ptx = compiled.PTXAssembly;
        Assert.Contains(".target sm_80", ptx);
        Assert.Contains($".entry Kernel_{name}(", ptx);
        Assert.Contains("\tld.", ptx);
        Assert.Contains("\tst.", ptx);
    }
}
