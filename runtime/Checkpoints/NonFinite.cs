using System.Numerics;
using System.Runtime.InteropServices;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// Counts NaN and ±∞ among a tensor's values for <see cref="CheckpointBinder"/>, which checks every weight of every
/// checkpoint it binds (DenseNet-121: 8 million): a value is not finite exactly when all its exponent bits are set,
/// as <see cref="float.IsFinite"/> tests, here a vector at a time.
/// </summary>
internal static class NonFinite
{
    private const uint Exponent = 0x7F80_0000;

    public static int Count(ReadOnlySpan<float> values)
    {
        var bits = MemoryMarshal.Cast<float, uint>(values);
        int i = 0;
        // Each lane counts its own non-finite values: a lane that matches is all ones, −1, and subtracting it adds 1.
        // A lane sees at most Array.MaxLength / Count values, so it cannot wrap.
        var lanes = Vector<uint>.Zero;
        var exponent = new Vector<uint>(Exponent);
        for (; i <= bits.Length - Vector<uint>.Count; i += Vector<uint>.Count)
            lanes -= Vector.Equals(new Vector<uint>(bits[i..]) & exponent, exponent);
        int count = (int)Vector.Sum(lanes);
        for (; i < bits.Length; i++)
            if ((bits[i] & Exponent) == Exponent) count++;
        return count;
    }
}
