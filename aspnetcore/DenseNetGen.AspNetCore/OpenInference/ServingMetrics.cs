using DenseNetGen.Serving;
using Prometheus;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// The server's Prometheus metrics (prometheus-net's default registry, which also carries the process's memory,
/// CPU and .NET GC collectors): requests by model and outcome, their latency, the queue's depth and the batch sizes
/// the pools ran.
/// </summary>
internal static class ServingMetrics
{
    private static readonly Counter s_requests = Metrics.CreateCounter(
        "densenet_requests_total", "Infer requests by model and outcome (ok, bad_request, too_large, rejected, cancelled, error).",
        new CounterConfiguration { LabelNames = ["model", "outcome"] });

    private static readonly Histogram s_latency = Metrics.CreateHistogram(
        "densenet_request_duration_seconds", "Infer request latency, from the first byte read to the last written.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.002, 2, 14) });

    private static readonly Gauge s_queueDepth = Metrics.CreateGauge(
        "densenet_queue_depth", "Calls waiting for a replica.", new GaugeConfiguration { LabelNames = ["model"] });

    private static readonly Histogram s_batchSize = Metrics.CreateHistogram(
        "densenet_batch_size", "Images per pass the model's replicas ran.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64] });

    private static readonly Histogram s_batchDuration = Metrics.CreateHistogram(
        "densenet_batch_duration_seconds", "Time of one pass on a replica.",
        new HistogramConfiguration { LabelNames = ["model"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    /// <summary>Starts recording <paramref name="model"/>'s batches and queue depth.</summary>
    public static void Watch(ServedModel model)
    {
        var sizes = s_batchSize.WithLabels(model.Name);
        var durations = s_batchDuration.WithLabels(model.Name);
        model.Pool.BatchCompleted = run =>
        {
            sizes.Observe(run.Images);
            durations.Observe(run.Duration.TotalSeconds);
        };
        var depth = s_queueDepth.WithLabels(model.Name);
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() => depth.Set(model.Pool.QueueDepth));
    }

    /// <summary>Counts a finished request by its HTTP status.</summary>
    public static void Request(string model, int status, bool cancelled, TimeSpan elapsed)
    {
        var outcome = cancelled ? "cancelled" : status switch
        {
            < 300 => "ok",
            StatusCodes.Status413PayloadTooLarge => "too_large",
            StatusCodes.Status503ServiceUnavailable => "rejected",
            < 500 => "bad_request",
            _ => "error",
        };
        s_requests.WithLabels(model, outcome).Inc();
        s_latency.WithLabels(model).Observe(elapsed.TotalSeconds);
    }
}
