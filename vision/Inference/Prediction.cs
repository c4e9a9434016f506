namespace DenseNetGen.Inference;

/// <summary>One class and its softmax probability.</summary>
public readonly record struct ClassScore(int Index, string Label, float Score);

/// <summary>
/// The top-k classes of one image, best first, named as mmpretrain's DataSample names them.
/// </summary>
public sealed record Prediction(IReadOnlyList<ClassScore> TopK)
{
    /// <summary>The best class's index (mmpretrain's pred_label).</summary>
    public int PredLabel => TopK[0].Index;

    /// <summary>The best class's name (mmpretrain's pred_class).</summary>
    public string PredClass => TopK[0].Label;

    /// <summary>The best class's probability (mmpretrain's pred_score).</summary>
    public float PredScore => TopK[0].Score;
}

/// <summary>Top-1 / top-5 accuracy over a data set, as mmpretrain's tools/test.py reports it.</summary>
/// <param name="Count">Images evaluated.</param>
/// <param name="Top1Correct">Images whose best class is the label.</param>
/// <param name="Top5Correct">Images whose label is among the five best classes.</param>
/// <param name="Elapsed">Wall time of the evaluation, decoding and preprocessing included.</param>
public sealed record EvaluationResult(int Count, int Top1Correct, int Top5Correct, TimeSpan Elapsed)
{
    /// <summary>Top-1 accuracy in percent (0 for an empty data set).</summary>
    public double Top1 => Count == 0 ? 0 : 100.0 * Top1Correct / Count;
    /// <summary>Top-5 accuracy in percent (0 for an empty data set).</summary>
    public double Top5 => Count == 0 ? 0 : 100.0 * Top5Correct / Count;
    /// <summary>Throughput: <see cref="Count"/> over <see cref="Elapsed"/> (0 when no time was measured).</summary>
    public double ImagesPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : Count / Elapsed.TotalSeconds;
}
