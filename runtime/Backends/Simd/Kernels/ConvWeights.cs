namespace DenseNetGen.Backends.Simd.Kernels;

/// <summary>
/// A conv's weights and bias packed once for <see cref="DirectConv{TVec}"/>: float[G][k][k][inChannels][32] and
/// float[G·32], where packed channel q is output channel q − <see cref="Shift"/> and G = ceil((Shift + outChannels) / 32).
/// </summary>
/// <remarks>
/// The shift is the destination offset's lane (outOffset % 16), so packed channel q lands in lane q % 16 of destination
/// block outOffset / 16 + q / 16 and a kernel stores whole vectors without moving lanes. Packed channels outside
/// [Shift, Shift + outChannels) have zero weights and bias. The same layout serves every vector width: a width of
/// Count lanes reads Count consecutive packed channels of one input channel.
/// </remarks>
internal sealed unsafe class ConvWeights
{
    public const int GroupChannels = 32;

    private readonly PinnedFloats _weights, _bias;

    private ConvWeights(int outChannels, int inChannels, int kernel, int shift)
    {
        OutChannels = outChannels;
        InChannels = inChannels;
        Kernel = kernel;
        Shift = shift;
        Groups = (shift + outChannels + GroupChannels - 1) / GroupChannels;
        _weights = new PinnedFloats(GroupLength * Groups);
        _bias = new PinnedFloats((long)Groups * GroupChannels);
    }

    public int OutChannels { get; }
    public int InChannels { get; }
    public int Kernel { get; }
    /// <summary>The lane of the destination offset the weights were packed for, outOffset % 16.</summary>
    public int Shift { get; }
    /// <summary>Groups of 32 packed output channels.</summary>
    public int Groups { get; }

    private long GroupLength => (long)Kernel * Kernel * InChannels * GroupChannels;

    /// <summary>Group <paramref name="group"/>'s weights, [k][k][inChannels][32].</summary>
    public float* Weights(int group) => _weights.Pointer + group * GroupLength;

    /// <summary>Bytes packed: the weights and bias of every group, padding included.</summary>
    public long Bytes => ((long)_weights.Length + _bias.Length) * sizeof(float);

    /// <summary>Every group's weights, one run of memory.</summary>
    public WeightRange Range => new((nint)_weights.Pointer, (long)_weights.Length * sizeof(float));

    /// <summary>Packed channel 0's bias; the packed channels follow contiguously.</summary>
    public float* Bias => _bias.Pointer;

    /// <summary>
    /// Packs torch's float[outChannels][inChannels][kernel][kernel] weight and bias[outChannels] (empty: no bias) for a
    /// destination whose first written channel is <paramref name="outOffset"/>.
    /// </summary>
    public static ConvWeights Pack(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int outChannels, int inChannels, int kernel, int outOffset)
    {
        if (outChannels < 1 || inChannels < 1 || kernel < 1 || outOffset < 0)
            throw new ArgumentOutOfRangeException(nameof(outChannels), "Conv sizes must be positive and the offset non-negative.");
        if (weight.Length != (long)outChannels * inChannels * kernel * kernel)
            throw new ArgumentException($"Expected {outChannels}x{inChannels}x{kernel}x{kernel} weights, got {weight.Length} floats.", nameof(weight));
        if (!bias.IsEmpty && bias.Length != outChannels)
            throw new ArgumentException($"Expected {outChannels} biases, got {bias.Length}.", nameof(bias));

        var packed = new ConvWeights(outChannels, inChannels, kernel, outOffset % Blocked.Lanes);
        var weights = packed._weights.Span;
        var biases = packed._bias.Span;
        int kk = kernel * kernel;
        for (int o = 0; o < outChannels; o++)
        {
            int q = packed.Shift + o, lane = q % GroupChannels;
            long groupStart = q / GroupChannels * packed.GroupLength;
            for (int i = 0; i < inChannels; i++)
                for (int k = 0; k < kk; k++)
                    weights[(int)(groupStart + ((long)k * inChannels + i) * GroupChannels + lane)] = weight[(o * inChannels + i) * kk + k];
            if (!bias.IsEmpty) biases[q] = bias[o];
        }
        return packed;
    }
}
