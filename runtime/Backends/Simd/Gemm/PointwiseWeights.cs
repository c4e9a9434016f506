namespace DenseNetGen.Backends.Simd.Gemm;

/// <summary>
/// A 1x1 convolution's weights packed once at load for <see cref="MicroKernel{TVec}"/>, with the input BN-ReLU of a
/// fused dense layer or transition as per-channel scale and shift.
/// </summary>
/// <remarks>
/// Slots: input slot k is source channel <see cref="InBase"/> + k, output slot j is destination channel
/// <see cref="OutBase"/> + j; both bases are rounded down to a 16-channel block, so the kernels read and write whole
/// blocks. Weights, bias, scale and shift are 0 on every slot outside the op's own channels, which is what lets a
/// reader take whole blocks whatever other layers keep in the other lanes (finite values, see <see cref="Blocked"/>).
/// Panels: <c>[panel][kSlot][2·Count]</c>, 2·Count output slots each.
/// </remarks>
internal sealed unsafe class PointwiseWeights<TVec> : IDisposable where TVec : struct, IVec<TVec>
{
    private readonly NativeBuffer _panels;
    private readonly NativeBuffer _bias;
    private readonly NativeBuffer? _scale;
    private readonly NativeBuffer? _shift;

    /// <param name="weights">[outChannels][inChannels] folded weights.</param>
    /// <param name="bias">[outChannels] folded bias.</param>
    /// <param name="inOffset">First source channel the conv reads.</param>
    /// <param name="inChannels">Source channels read.</param>
    /// <param name="outOffset">First destination channel written.</param>
    /// <param name="outChannels">Destination channels written.</param>
    /// <param name="scale">Input BN-ReLU scale per input channel, or null for no prologue.</param>
    /// <param name="shift">Input BN-ReLU shift, with <paramref name="scale"/>.</param>
    /// <exception cref="ArgumentException">An array of the wrong length, or a scale without a shift.</exception>
    public PointwiseWeights(float[] weights, float[] bias, int inOffset, int inChannels, int outOffset, int outChannels,
        float[]? scale, float[]? shift)
    {
        if (weights.Length != (long)outChannels * inChannels || bias.Length != outChannels
            || (scale?.Length ?? 0) != (shift?.Length ?? 0) || scale is not null && scale.Length != inChannels)
            throw new ArgumentException(
                $"Expected {outChannels}x{inChannels} weights, {outChannels} biases and {inChannels} scales and shifts or none; " +
                $"got {weights.Length}, {bias.Length}, {scale?.Length ?? 0} and {shift?.Length ?? 0}.", nameof(weights));
        InBase = inOffset / Blocked.Lanes * Blocked.Lanes;
        InOffset = inOffset;
        InChannels = inChannels;
        KSlots = inOffset + inChannels - InBase;
        KBlocks = Blocked.Blocks(KSlots);
        OutBase = outOffset / Blocked.Lanes * Blocked.Lanes;
        OutOffset = outOffset;
        OutChannels = outChannels;
        int width = PanelWidth;
        Panels = (outOffset + outChannels - OutBase + width - 1) / width;
        int kSlots = KBlocks * Blocked.Lanes;

        _panels = new NativeBuffer((long)Panels * kSlots * width);
        _bias = new NativeBuffer((long)Panels * width);
        float* p = _panels.Pointer;
        for (int co = 0; co < outChannels; co++)
        {
            int j = outOffset - OutBase + co;
            int panel = j / width, column = j % width;
            _bias.Pointer[j] = bias[co];
            for (int ci = 0; ci < inChannels; ci++)
            {
                int k = inOffset - InBase + ci;
                p[((long)panel * kSlots + k) * width + column] = weights[(long)co * inChannels + ci];
            }
        }
        if (scale is not null && shift is not null)
        {
            _scale = new NativeBuffer(kSlots);
            _shift = new NativeBuffer(kSlots);
            scale.AsSpan(0, inChannels).CopyTo(new Span<float>(_scale.Pointer + inOffset - InBase, inChannels));
            shift.AsSpan(0, inChannels).CopyTo(new Span<float>(_shift.Pointer + inOffset - InBase, inChannels));
        }
    }

    /// <summary>Output slots per panel: the micro-kernel's two vectors.</summary>
    public static int PanelWidth => 2 * TVec.Count;

    public int InBase { get; }
    public int InOffset { get; }
    public int InChannels { get; }
    /// <summary>Input slots in use: the micro-kernel's steps.</summary>
    public int KSlots { get; }
    public int KBlocks { get; }
    public int OutBase { get; }
    public int OutOffset { get; }
    public int OutChannels { get; }
    public int Panels { get; }

    /// <summary>
    /// Vectors of panel <paramref name="panel"/> that hold the op's own output channels from its first: 1 when they end
    /// within the first vector (the last panel of a 48-channel conv at 512 bits), else 2.
    /// </summary>
    public int Vectors(int panel) => OutOffset - OutBase + OutChannels - panel * PanelWidth <= TVec.Count ? 1 : 2;

    public float* Panel(int panel) => _panels.Pointer + (long)panel * KBlocks * Blocked.Lanes * PanelWidth;
    public float* Bias => _bias.Pointer;

    /// <summary>Per input slot, or null when the conv reads its input as it is.</summary>
    public float* Scale => _scale is null ? null : _scale.Pointer;
    public float* Shift => _shift is null ? null : _shift.Pointer;

    /// <summary>The panels, which the micro-kernel streams (the bias, scale and shift are a few hundred bytes).</summary>
    public WeightRange Range => new((nint)_panels.Pointer, _panels.Bytes);

    public long Bytes => _panels.Bytes + _bias.Bytes + (_scale?.Bytes ?? 0) * 2;

    public void Dispose()
    {
        _panels.Dispose();
        _bias.Dispose();
        _scale?.Dispose();
        _shift?.Dispose();
    }
}
