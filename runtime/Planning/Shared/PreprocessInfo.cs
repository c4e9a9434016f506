// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
using System.Collections.Generic;

namespace DenseNetGen.Planning;

/// <summary>
/// Image preprocessing in mmpretrain's test pipeline order: resize the short edge to
/// <paramref name="ResizeShortEdge"/> (bilinear), center-crop <paramref name="CropSize"/>, then
/// (pixel - mean) / std per channel on 0..255 values. Channel count equals the mean's length
/// (3 = RGB, 1 = grayscale). Equality is by value.
/// </summary>
/// <param name="Mean">Per-channel mean subtracted, on the 0..255 scale, in RGB order.</param>
/// <param name="Std">Per-channel divisor, on the 0..255 scale, in RGB order.</param>
/// <param name="ResizeShortEdge">Pixels of the short edge after resizing.</param>
/// <param name="CropSize">Side of the square center crop, in pixels: the network's input height and width.</param>
public sealed record PreprocessInfo(IReadOnlyList<float> Mean, IReadOnlyList<float> Std, int ResizeShortEdge, int CropSize)
{
    /// <summary>True when every member is equal, the mean and std element by element.</summary>
    public bool Equals(PreprocessInfo? other) =>
        other is not null && ResizeShortEdge == other.ResizeShortEdge && CropSize == other.CropSize &&
        ValueEquality.Equal(Mean, other.Mean) && ValueEquality.Equal(Std, other.Std);

    /// <summary>A hash consistent with <see cref="Equals(PreprocessInfo?)"/>.</summary>
    public override int GetHashCode() => (ResizeShortEdge, CropSize, ValueEquality.Hash(Mean), ValueEquality.Hash(Std)).GetHashCode();
}
