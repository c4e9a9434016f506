using DenseNetGen.Backends.Simd.Winograd;

namespace DenseNetGen.Backends.Simd;

/// <summary>
/// The SIMD backend's settings with the environment's defaults applied: resolved once, by the app, whether the
/// backend then runs in-process or in a level library (which must not read the environment again: a NativeAOT
/// library sees the process's native environment, not what the app set through <see cref="Environment"/>).
/// </summary>
/// <param name="Threads">Worker threads, the caller included.</param>
/// <param name="Spinning">Whether waits spin before blocking.</param>
/// <param name="Conv3x3">How 3x3 convs run.</param>
internal readonly record struct SimdSettings(int Threads, bool Spinning, Conv3x3Algorithm Conv3x3)
{
    /// <exception cref="DeviceUnavailableException">TF32 was asked for (it runs on CUDA tensor cores, or emulated on ILGPU's CPU accelerator).</exception>
    /// <exception cref="ArgumentException">DENSENET_CONV3X3 names no algorithm, or DENSENET_THREADS or DENSENET_SPIN is consulted and invalid.</exception>
    public static SimdSettings Resolve(ComputeOptions options)
    {
        if (options.Precision == Precision.Tf32)
            throw new DeviceUnavailableException(DeviceKind.Cpu, $"{ComputeOptions.Tf32Where}; the {SimdBackend.Name} computes in fp32.");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Threads);
        // Every setting is read before any thread starts: a bad value leaves nothing to dispose.
        var conv3x3 = Conv3x3Setting.FromEnvironment();
        return new(SimdThreads.Resolve(options.Threads), SimdSpinning.Resolve(options.Spinning), conv3x3);
    }
}
