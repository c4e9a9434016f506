using DenseNetGen.Backends.Simd;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// <see cref="IVec{TSelf}.Relu"/> at every width and without FMA, against PyTorch's ReLU: negatives and −∞ become 0,
/// positives and +∞ stay, NaN stays NaN (torch.relu(nan) is nan), in every lane. The CI's runs with AVX-512, AVX2 or
/// hardware vectors switched off run this on the other instructions (and ARM64 under emulation on NEON's fmax).
/// </summary>
public sealed unsafe class VecReluTests
{
    [Fact] public void Vec512() => AssertRelu<Vec512>();
    [Fact] public void Vec256() => AssertRelu<Vec256>();
    [Fact] public void Vec128() => AssertRelu<Vec128>();
    [Fact] public void Vec128Unfused() => AssertRelu<Unfused<Vec128>>();

    private static void AssertRelu<TVec>() where TVec : struct, IVec<TVec>
    {
        float[] inputs = [-2.5f, -0f, 0f, 1.25f, float.NaN, float.NegativeInfinity, float.PositiveInfinity, -1e-40f, 3e38f, -3e38f, 7f, -7f, float.Epsilon, -float.Epsilon, 0.5f, -0.5f];
        for (int shift = 0; shift < inputs.Length; shift++)
        {
            // Each value in every lane position.
            var source = new float[TVec.Count];
            for (int l = 0; l < TVec.Count; l++) source[l] = inputs[(l + shift) % inputs.Length];
            var result = new float[TVec.Count];
            fixed (float* s = source, r = result) TVec.Store(r, TVec.Relu(TVec.Load(s)));
            for (int l = 0; l < TVec.Count; l++)
            {
                float x = source[l];
                if (float.IsNaN(x)) Assert.True(float.IsNaN(result[l]), $"{TVec.Name}: relu(NaN) = {result[l]}");
                else Assert.Equal(x > 0 ? x : 0f, result[l]);
            }
        }
    }
}
