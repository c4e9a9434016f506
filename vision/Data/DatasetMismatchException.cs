namespace DenseNetGen.Data;

/// <summary>
/// A data set whose classes are not the model's: a different number of classes, labels past the model's last
/// class, or class folders named otherwise than the model's classes. Evaluating it would give a meaningless score.
/// </summary>
public sealed class DatasetMismatchException(string message, int datasetClasses, int modelClasses, IReadOnlyList<string> unmatched)
    : DenseNetException(message)
{
    /// <summary>How many classes the data set has (folders, or the highest label + 1).</summary>
    public int DatasetClasses { get; } = datasetClasses;

    /// <summary>How many classes the model predicts.</summary>
    public int ModelClasses { get; } = modelClasses;

    /// <summary>Class folder names that are none of the model's class names (empty when the counts differ).</summary>
    public IReadOnlyList<string> Unmatched { get; } = unmatched;
}
