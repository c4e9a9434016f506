namespace DenseNetGen.Inference;

/// <summary>One class and its softmax probability.</summary>
public readonly record struct ClassScore(int Index, string Label, float Score);

/// <summary>
/// The top-k classes of one image, best first. <see cref="PredClass"/>, <see cref="PredLabel"/>
/// and <see cref="PredScore"/> mirror mmpretrain's pred_label / pred_class / pred_score.
/// </summary>
public sealed record Prediction(IReadOnlyList<ClassScore> TopK)
{
    public int PredClass => TopK[0].Index;
    public string PredLabel => TopK[0].Label;
    public float PredScore => TopK[0].Score;
}

/// <summary>Top-1 / top-5 accuracy over a data set, as mmpretrain's tools/test.py reports it.</summary>
public sealed record EvaluationResult(int Count, int Top1Correct, int Top5Correct, TimeSpan Elapsed)
{
    public double Top1 => Count == 0 ? 0 : 100.0 * Top1Correct / Count;
    public double Top5 => Count == 0 ? 0 : 100.0 * Top5Correct / Count;
    public double ImagesPerSecond => Elapsed.TotalSeconds <= 0 ? 0 : Count / Elapsed.TotalSeconds;
}
