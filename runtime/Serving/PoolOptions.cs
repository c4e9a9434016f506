using DenseNetGen.Backends;
using DenseNetGen.Execution;

namespace DenseNetGen.Serving;

/// <summary>How <see cref="DenseNetPool.Create"/> opens its replicas.</summary>
public sealed record PoolOptions
{
    /// <summary>Replicas of the model, each on its own device, each running one batch at a time.</summary>
    public int Replicas { get; init; } = 1;

    /// <summary>The device kind each replica opens (see <see cref="ComputeDevice.Open"/>).</summary>
    public DeviceKind Device { get; init; } = DeviceKind.Auto;

    /// <summary>
    /// Threads of each replica's SIMD CPU backend; 0 shares the physical cores out (at least one each). Other
    /// backends ignore it.
    /// </summary>
    public int ThreadsPerReplica { get; init; }

    /// <summary>Kernel set and precision of the replicas' devices (their thread count comes from <see cref="ThreadsPerReplica"/>).</summary>
    public ComputeOptions Compute { get; init; } = ComputeOptions.Default;

    /// <summary>How concurrent calls are grouped into batches.</summary>
    public BatchingOptions Batching { get; init; } = new();

    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Replicas, 1, nameof(Replicas));
        ArgumentOutOfRangeException.ThrowIfNegative(ThreadsPerReplica, nameof(ThreadsPerReplica));
        ArgumentNullException.ThrowIfNull(Compute);
        ArgumentNullException.ThrowIfNull(Batching);
        Batching.Validate();
    }
}
