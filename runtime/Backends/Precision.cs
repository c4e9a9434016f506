namespace DenseNetGen.Backends;

/// <summary>Arithmetic of the convolutions.</summary>
public enum Precision
{
    /// <summary>FP32 multiply-adds everywhere (the default; meets the parity bar against PyTorch in FP32).</summary>
    Fp32,

    /// <summary>
    /// Conv operands rounded to TF32 (10-bit mantissa) on CUDA tensor cores, FP32 sums, as PyTorch with
    /// <c>torch.backends.cudnn.allow_tf32</c>. CUDA with the GPU kernel set; ILGPU's CPU accelerator emulates the
    /// same kernel, fragment by fragment (slowly, as a check of it without a GPU).
    /// </summary>
    Tf32,
}
