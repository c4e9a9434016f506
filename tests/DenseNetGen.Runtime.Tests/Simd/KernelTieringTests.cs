using System.Reflection;
using System.Runtime.CompilerServices;
using DenseNetGen.Backends.Simd;
using DenseNetGen.Backends.Simd.Gemm;
using DenseNetGen.Backends.Simd.Kernels;

namespace DenseNetGen.Runtime.Tests.Simd;

/// <summary>
/// Every SIMD launch's tile and every register tile is compiled fully optimized at its first call
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>), never at tier 0: there each <c>TVec</c> operation is a
/// call, 80x slower, and a tile a small net calls a few times a pass stays at tier 0 for 30 calls and until the
/// background recompile gets a core (Fashion-MNIST on one core: 27 ms a pass instead of 0.3 for its first 60
/// passes, when the micro-kernel lacked it).
/// </summary>
public sealed class KernelTieringTests
{
    private static readonly Assembly Runtime = typeof(ISimdLaunch).Assembly;

    /// <summary>
    /// Launches that run no kernel: <c>SlicedSteps</c> hands each slice to other launches, which are checked
    /// themselves; <c>Compilation</c> makes a program's steps once, at load.
    /// </summary>
    private static readonly string[] NotKernels = ["SlicedSteps`1", "Compilation"];

    [Fact]
    public void EveryLaunchRunsItsTilesOptimizedFromTheFirstCall()
    {
        var launches = Runtime.GetTypes()
            .Where(t => !t.IsInterface && typeof(ISimdLaunch).IsAssignableFrom(t) && !NotKernels.Contains(t.Name))
            .ToList();
        Assert.Contains(launches, t => t.Name == "PointwiseConv`1"); // the scan finds the launches at all
        Assert.True(launches.Count >= 6, $"only {launches.Count} launches found");
        var tiered = launches.Where(t => !Optimized(t.GetMethod(nameof(ISimdLaunch.RunTile))!)).Select(t => t.Name);
        Assert.Empty(tiered);
    }

    [Fact]
    public void RegisterTilesAreOptimizedFromTheFirstCall()
    {
        var gemm = typeof(MicroKernel<>).GetMethod("Gemm", BindingFlags.NonPublic | BindingFlags.Static);
        var conv = typeof(ConvTile).GetMethod(nameof(ConvTile.Run));
        Assert.NotNull(gemm);
        Assert.NotNull(conv);
        Assert.True(Optimized(gemm), "MicroKernel.Gemm is tiered");
        Assert.True(Optimized(conv), "ConvTile.Run is tiered");
    }

    private static bool Optimized(MethodInfo method) =>
        (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0;
}
