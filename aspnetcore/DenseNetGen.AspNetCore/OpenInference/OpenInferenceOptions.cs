namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>Limits of the Open Inference Protocol endpoints.</summary>
public sealed record OpenInferenceOptions
{
    /// <summary>Largest infer request body in bytes; past it the server answers 413 before reading it.</summary>
    public long MaxRequestBytes { get; init; } = 64L << 20;

    /// <summary>Images (N) in one infer request at most; more is a 400, not a giant allocation.</summary>
    public int MaxImagesPerRequest { get; init; } = 64;
}
