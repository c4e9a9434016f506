namespace DenseNetGen.Benchmarks.Commands;

/// <summary>
/// One runner's timed block in `compare`: latencies in ms, peak RSS above its loaded model, the plan's activation
/// bytes where the backend reports them, and the logits it computed (checked by <see cref="OutputAgreement"/>).
/// </summary>
internal sealed record CompareRow(string Model, int Batch, string Runner, double[] Times, long? PeakBytes, long? ActivationBytes, float[]? Outputs)
{
    public const string OnnxRuntime = "ONNX Runtime";

    public double Median => QuickCommand.Median(Times);
    public double Min => Times.Min();
    public double ImagesPerSecond => Batch * 1000 / Median;
}
