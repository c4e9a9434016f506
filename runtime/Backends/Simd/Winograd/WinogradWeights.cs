using DenseNetGen.Backends.Simd.Gemm;

namespace DenseNetGen.Backends.Simd.Winograd;

/// <summary>
/// A 3x3 conv's weights transformed once at load for <typeparamref name="TTile"/>: U = G g Gᵀ per output and input
/// channel (in float64, rounded once to float), then each of the α² transform elements packed as a 1x1 conv's
/// weights, so element e's GEMM is the 1x1 GEMM's micro-kernel over <see cref="Element"/>(e)'s panels.
/// </summary>
/// <remarks>
/// Slots, panels and the zero weights outside the conv's own channels are <see cref="PointwiseWeights{TVec}"/>'s; the
/// bias (element 0's) is added once, after the output transform.
/// </remarks>
internal sealed class WinogradWeights<TVec, TTile> : IDisposable
    where TVec : struct, IVec<TVec> where TTile : struct, IWinogradTile
{
    private readonly PointwiseWeights<TVec>[] _elements;

    /// <param name="weights">Folded [outChannels][inChannels][3][3] weights.</param>
    /// <param name="bias">Folded [outChannels] bias.</param>
    /// <param name="inOffset">The first source channel the conv reads.</param>
    /// <param name="inChannels">Source channels read.</param>
    /// <param name="outOffset">The first destination channel the conv writes.</param>
    /// <param name="outChannels">Destination channels written.</param>
    public WinogradWeights(float[] weights, float[] bias, int inOffset, int inChannels, int outOffset, int outChannels)
    {
        if (weights.Length != (long)outChannels * inChannels * 9)
            throw new ArgumentException($"Expected {outChannels}x{inChannels}x3x3 weights, got {weights.Length} floats.", nameof(weights));
        int alpha = TTile.Alpha, elements = alpha * alpha;
        var g = TTile.KernelTransform;
        var transformed = new float[elements][];
        for (int e = 0; e < elements; e++) transformed[e] = new float[(long)outChannels * inChannels];
        var gg = new double[alpha, 3];
        for (int o = 0; o < outChannels; o++)
            for (int i = 0; i < inChannels; i++)
            {
                int kernel = (o * inChannels + i) * 9;
                // gg = G·g (α×3), then U = gg·Gᵀ (α×α).
                for (int r = 0; r < alpha; r++)
                    for (int c = 0; c < 3; c++)
                        gg[r, c] = g[r, 0] * weights[kernel + c] + g[r, 1] * weights[kernel + 3 + c] + g[r, 2] * weights[kernel + 6 + c];
                for (int r = 0; r < alpha; r++)
                    for (int c = 0; c < alpha; c++)
                        transformed[r * alpha + c][o * inChannels + i] = (float)(gg[r, 0] * g[c, 0] + gg[r, 1] * g[c, 1] + gg[r, 2] * g[c, 2]);
            }
        _elements = new PointwiseWeights<TVec>[elements];
        try
        {
            for (int e = 0; e < elements; e++)
                _elements[e] = new PointwiseWeights<TVec>(transformed[e], bias, inOffset, inChannels, outOffset, outChannels, null, null);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Transform element e = row·α + column, as a 1x1 conv's packed weights.</summary>
    public PointwiseWeights<TVec> Element(int e) => _elements[e];

    /// <summary>The slots, panels and bias every element shares.</summary>
    public PointwiseWeights<TVec> Layout => _elements[0];

    /// <summary>Every element's panels, element by element.</summary>
    public IEnumerable<WeightRange> Ranges => _elements.Select(e => e.Range);

    public long Bytes => _elements.Sum(e => e?.Bytes ?? 0);

    public void Dispose()
    {
        foreach (var element in _elements) element?.Dispose();
    }
}
