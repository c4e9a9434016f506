namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>The names and datatypes of the tensors every served model takes and gives.</summary>
internal static class TensorNames
{
    /// <summary>Normalized NCHW pixels, FP32 [N, C, S, S] (what Forward takes).</summary>
    public const string Input = "input";

    /// <summary>Encoded images (JPEG, PNG, …), BYTES [N], run through the model's own preprocessing.</summary>
    public const string Image = "image";

    /// <summary>FP32 [N, classes].</summary>
    public const string Logits = "logits";

    /// <summary>Softmax of the logits, FP32 [N, classes].</summary>
    public const string Probabilities = "probabilities";

    public const string Fp32 = "FP32";

    public const string Bytes = "BYTES";

    /// <summary>The outputs, in the order a request that names none gets them.</summary>
    public static IReadOnlyList<string> Outputs { get; } = [Logits, Probabilities];
}
