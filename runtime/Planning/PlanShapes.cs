namespace DenseNetGen.Planning;

/// <summary>Spatial sizes a plan produces for a given input, for tools that describe a network.</summary>
public static class PlanShapes
{
    /// <summary>
    /// Each buffer's (height, width) after the last op that writes it, for an input of
    /// <paramref name="height"/> × <paramref name="width"/>; null for a buffer never written.
    /// </summary>
    /// <exception cref="ArgumentException">The input is too small for the network.</exception>
    public static IReadOnlyList<(int Height, int Width)?> BufferSizes(NetworkPlan plan, int height, int width) =>
        PlanGeometry.Compute(plan, 1, height, width).FinalSizes;
}
