namespace DenseNetGen.Backends.Simd;

/// <summary>
/// The blocked activation layout of the SIMD backend, NCHW16c: a buffer with a capacity of C channels is
/// float[N][ceil(C/16)][H][W][16], so channel c lives in block c / 16, lane c % 16, and 16 channels of one pixel are
/// one contiguous 64-byte run. Buffers start 64-byte aligned.
/// Lanes an op does not own (channels other layers write, lanes past C) hold finite values of no meaning: buffers
/// whose lifetimes do not overlap share memory. A kernel may read whole blocks but must weight those lanes with 0,
/// and writes only its own channels.
/// </summary>
internal static class Blocked
{
    public const int Lanes = 16;

    public static int Blocks(int channels) => (channels + Lanes - 1) / Lanes;

    public static int Round(int channels) => Blocks(channels) * Lanes;

    /// <summary>Floats in a buffer of <paramref name="channels"/> capacity.</summary>
    public static long Length(int batch, int channels, int height, int width) => (long)batch * Round(channels) * height * width;
}
