using DenseNetGen.Backends.Ilgpu.Kernels.Gpu;
using DenseNetGen.Backends.Ilgpu.KernelSets;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>
/// The CUDA path without a GPU: every kernel goes through ILGPU's PTX backend for sm_80 (what ILGPU 1.5.3 targets on
/// an H100), so a construct the PTX backend rejects fails here rather than on the first GPU a user has. Compiled at
/// O2, as <see cref="Execution.ComputeDevice"/> does for CUDA, which is what infers ld.global/ld.shared.
/// </summary>
public sealed partial class PtxCompilationTests
{
    /// <summary>Explicitly grouped kernels (barriers) take no index as their first parameter.</summary>
    private static bool IsGrouped(Delegate kernel) =>
        kernel.Method.GetParameters() is not [{ ParameterType: var first }, ..] || !first.Name!.StartsWith("Index", StringComparison.Ordinal);

    private static readonly IReadOnlyList<Delegate> s_implicit = [.. KernelSetRegistry.AllKernels.Where(k => !IsGrouped(k))];
    private static readonly IReadOnlyList<Delegate> s_grouped = [.. KernelSetRegistry.AllKernels.Where(IsGrouped)];

    public static TheoryData<string> KernelNames() => [.. s_implicit.Select(Name)];

    public static TheoryData<string> GroupedKernelNames() => [.. s_grouped.Select(Name)];

    [Fact]
    public void TheGpuSetsTiledConvsAreGrouped() =>
        Assert.Equal(["TiledConvKernels.Conv", "HaloConvKernels.Conv", "Tf32ConvKernels.Conv", "Tf32HaloConvKernels.Conv"], s_grouped.Select(Name));

    [Theory]
    [MemberData(nameof(KernelNames))]
    public void KernelCompilesToPtxForSm80(string name)
    {
        var kernel = s_implicit.Single(k => Name(k) == name);
        var ptx = Compile(EntryPointDescription.FromImplicitlyGroupedKernel(kernel.Method));

        Assert.Contains($".entry Kernel_{kernel.Method.Name}(", ptx);
        Assert.Contains("\tld.", ptx);
        Assert.Contains("\tst.", ptx);
    }

    /// <summary>
    /// The GPU set's tiled convs stage through shared memory behind barriers, read it with ld.shared and global
    /// memory with ld.global, and keep their tiles in registers: no .local (stack) memory, except, in the TF32
    /// kernel, ILGPU's slots for inline-asm operands (the mma and cvt instructions' own operands). The TF32
    /// kernel's emulation for the CPU accelerator sits behind <see cref="CudaAsm.IsSupported"/>, a constant here.
    /// </summary>
    [Theory]
    [MemberData(nameof(GroupedKernelNames))]
    public void TiledConvCompilesToSharedMemoryPtx(string name)
    {
        var kernel = s_grouped.Single(k => Name(k) == name);
        var ptx = Compile(EntryPointDescription.FromExplicitlyGroupedKernel(kernel.Method));

        Assert.Contains("bar.sync", ptx);
        Assert.Contains("ld.shared", ptx);
        Assert.Contains("st.shared", ptx);
        Assert.Contains("ld.global", ptx);
        bool tf32 = kernel.Method.DeclaringType == typeof(Tf32ConvKernels) || kernel.Method.DeclaringType == typeof(Tf32HaloConvKernels);
        Assert.Equal(tf32, ptx.Contains("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32"));
        Assert.Equal(tf32, ptx.Contains("cvt.rna.tf32.f32"));
        // The TF32 kernels' CPU-accelerator emulation (warp shuffles) is another instantiation, not compiled here.
        Assert.DoesNotContain("shfl", ptx);
        if (!tf32)
            Assert.DoesNotContain(".local", ptx);
        else
            AssertLocalsAreAsmOperands(ptx);
    }

    private static string Name(Delegate kernel) => kernel.Method.DeclaringType!.Name + "." + kernel.Method.Name;

    private static string Compile(EntryPointDescription entry)
    {
        using var context = Context.Create(builder => builder.Cuda().Optimize(OptimizationLevel.O2));
        var sm80 = CudaArchitecture.SM_80;
        using var backend = new PTXBackend(context, new CudaCapabilityContext(sm80), sm80, CudaInstructionSet.ISA_70, nvvmAPI: null);
        var ptx = ((PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
        Assert.Contains(".target sm_80", ptx);
        return ptx;
    }

    /// <summary>
    /// ILGPU passes inline-asm operands through one 4-byte .local slot each, stored right before and loaded right
    /// after the instruction (ptxas promotes such slots to registers; checked on a GPU by tools/gpu-check.sh's
    /// timing, not here). Anything else on the stack, a spilled tile or an indexed array, would be a larger
    /// slot or a .local access away from any asm instruction.
    /// </summary>
    private static void AssertLocalsAreAsmOperands(string ptx)
    {
        var lines = ptx.Split('\n').Select(line => line.Trim()).ToArray();
        var asm = lines.Select((line, i) => (line, i))
            .Where(x => x.line.StartsWith("mma.sync", StringComparison.Ordinal) || x.line.StartsWith("cvt.rna.tf32", StringComparison.Ordinal))
            .Select(x => x.i).ToArray();
        Assert.NotEmpty(asm);
        foreach (var (line, i) in lines.Select((line, i) => (line, i)))
        {
            if (line.StartsWith(".local", StringComparison.Ordinal))
                Assert.Matches(@"^\.local \.align 4 \.b8 __local_depot\d+\[4\];$", line);
            else if (line.StartsWith("ld.local", StringComparison.Ordinal) ||
                     line.StartsWith("st.local", StringComparison.Ordinal) && !ZeroStore().IsMatch(line))
                Assert.True(asm.Any(a => Math.Abs(a - i) <= AsmOperandWindow), $"line {i + 1} uses .local away from any asm instruction: {line}");
        }
    }

    /// <summary>ILGPU zeroes the operand slots at the kernel's entry.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"^st\.local\.[bf]32\s+\[%rd\d+\], (0|0f00000000);$")]
    private static partial System.Text.RegularExpressions.Regex ZeroStore();

    /// <summary>Lines around an asm instruction where its operand stores and loads sit (10 operands: a store, a
    /// move and a load each, then the results stored and reloaded; ILGPU's code placement puts the shared-memory
    /// loads of an mma's operands, with their address arithmetic, between the stores and the instruction: 58 lines
    /// at most in ILGPU 1.5.3's PTX for the tiled conv, 66 for the haloed one, whose B operands sit at per-lane
    /// offsets).</summary>
    private const int AsmOperandWindow = 72;
}
