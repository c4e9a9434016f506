using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime.Cuda;

namespace DenseNetGen.Backends.Ilgpu.Kernels.Gpu;

/// <summary>What a tiled conv does to an operand as it stages it (see <see cref="Staging.Store{TOperands}"/>).</summary>
internal interface IOperandRounding
{
    float Round(float value);
}

/// <summary>The FP32 conv's operands: as they are.</summary>
internal readonly struct Fp32Operands : IOperandRounding
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Round(float value) => value;
}

/// <summary>
/// The TF32 conv's arithmetic (<see cref="Tf32ConvKernels"/>): rounding operands to TF32 and one warp's
/// mma.m16n8k8 on fragments. A type argument of the kernel, so each compiled kernel holds only its own: the
/// tensor-core instructions (<see cref="TensorCores"/>, CUDA) or their emulation (<see cref="EmulatedTensorCores"/>,
/// ILGPU's CPU accelerator). A branch on CudaAsm.IsSupported would not do: ILGPU 1.5.3 folds it to a constant
/// predicate only after its last dead-code pass, so the emulation's shuffles would stay in the PTX.
/// </summary>
internal interface ITf32Arithmetic : IOperandRounding
{
    void Mma(ref Tf32Fragment d, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1);
}

/// <summary>One m16n8 tile's accumulators in a lane: c0..c3 of the fragment layout (see <see cref="Tf32ConvKernels"/>).</summary>
internal struct Tf32Fragment
{
    public float C0, C1, C2, C3;
}

/// <summary>CUDA tensor cores through inline PTX (sm_80+).</summary>
internal readonly struct TensorCores : ITf32Arithmetic
{
    /// <summary>cvt.rna.tf32.f32: see <see cref="Tf32Rounding.Round"/> for what it computes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Round(float value)
    {
        Output<uint> rounded = default;
        Input<float> source = value;
        CudaAsm.EmitRef("cvt.rna.tf32.f32 %0, %1;", ref rounded, ref source);
        return Interop.IntAsFloat(rounded.Value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Mma(ref Tf32Fragment d, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        Ref<float> c0 = d.C0, c1 = d.C1, c2 = d.C2, c3 = d.C3;
        Input<uint> x0 = a0, x1 = a1, x2 = a2, x3 = a3, y0 = b0, y1 = b1;
        CudaAsm.EmitRef(
            "mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};",
            ref c0, ref c1, ref c2, ref c3, ref x0, ref x1, ref x2, ref x3, ref y0, ref y1);
        d.C0 = c0.Value;
        d.C1 = c1.Value;
        d.C2 = c2.Value;
        d.C3 = c3.Value;
    }
}

/// <summary>
/// The tensor cores emulated for ILGPU's CPU accelerator, the check of the TF32 kernel without a GPU: the same
/// rounding in integer arithmetic, and the mma computed from the fragments alone, lane by lane through warp
/// shuffles (warps of 32 lanes there too, which <see cref="KernelSets.GpuKernelSet"/> requires). Never compiled for OpenCL,
/// whose codegen of warp shuffles fails for non-Intel vendors.
/// </summary>
internal readonly struct EmulatedTensorCores : ITf32Arithmetic
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Round(float value) => Tf32Rounding.Round(value);

    /// <summary>
    /// Per the fragment layout lane (g, q) holds A[g][k], A[g+8][k], A[g][k+4], A[g+8][k+4] for k = q and B[k][n],
    /// B[k+4][n] for n = g, so the lane that owns D[g][2q..2q+1] and D[g+8][2q..2q+1] reads rows g and g+8 of A
    /// from lanes 4g + k and columns 2q and 2q+1 of B from lanes 8q + k and 8q + 4 + k, k = 0..3. A wrong index
    /// anywhere in the kernel's fragment handling gives wrong sums here as it would on a GPU. Sums are fp32, k and
    /// k + 4 per step: products of TF32 operands are exact in fp32, and the order the tensor cores add in is
    /// unspecified.
    /// </summary>
    public void Mma(ref Tf32Fragment d, uint a0, uint a1, uint a2, uint a3, uint b0, uint b1)
    {
        int lane = Warp.LaneIdx;
        int g = lane >> 2, q = lane & 3;
        var rows = new RowFragment(Interop.IntAsFloat(a0), Interop.IntAsFloat(a1), Interop.IntAsFloat(a2), Interop.IntAsFloat(a3));
        var column = new ColumnFragment(Interop.IntAsFloat(b0), Interop.IntAsFloat(b1));
        for (int k = 0; k < 4; k++)
        {
            var a = Warp.Shuffle(rows, 4 * g + k);
            var even = Warp.Shuffle(column, 8 * q + k);
            var odd = Warp.Shuffle(column, 8 * q + 4 + k);
            d.C0 = d.C0 + a.Top * even.Top + a.TopHigh * even.High;
            d.C1 = d.C1 + a.Top * odd.Top + a.TopHigh * odd.High;
            d.C2 = d.C2 + a.Bottom * even.Top + a.BottomHigh * even.High;
            d.C3 = d.C3 + a.Bottom * odd.Top + a.BottomHigh * odd.High;
        }
    }

    /// <summary>A lane's A fragment as values: A[g][q], A[g+8][q], A[g][q+4], A[g+8][q+4].</summary>
    private readonly record struct RowFragment(float Top, float Bottom, float TopHigh, float BottomHigh);

    /// <summary>A lane's B fragment as values: B[q][g], B[q+4][g].</summary>
    private readonly record struct ColumnFragment(float Top, float High);
}

/// <summary>
/// Rounding to TF32 as PTX's <c>cvt.rna.tf32.f32</c> does it: to the nearest value with 10 explicit mantissa bits,
/// ties away from zero (.rna), kept as an fp32 bit pattern whose low 13 bits are zero; the sign and the 8-bit
/// exponent are fp32's, so subnormals round too (no flush) and a finite value that rounds past the largest TF32
/// value becomes ±Inf (no .satfinite). NaN and ±Inf are left as they are.
/// </summary>
internal static class Tf32Rounding
{
    private const uint ExponentMask = 0x7f80_0000u;

    /// <summary>Half of the weight of the lowest kept mantissa bit (bit 13).</summary>
    private const uint Half = 0x1000u;

    /// <summary>The sign, the exponent and the 10 kept mantissa bits.</summary>
    private const uint Kept = 0xffff_e000u;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float value)
    {
        uint bits = Interop.FloatAsInt(value);
        if ((bits & ExponentMask) == ExponentMask) return value;
        // Adding half an ulp to the magnitude bits carries into bit 13 exactly when the dropped 13 bits are at
        // least half an ulp: round half away from zero, since the magnitude is rounded and the sign bit is left
        // alone (a finite magnitude is below 0x7f800000, so the carry never reaches it). A carry out of the
        // mantissa steps the exponent up with a zero mantissa, which is the rounded value, and out of the largest
        // binade gives 0x7f800000, Inf.
        return Interop.IntAsFloat((bits + Half) & Kept);
    }
}
