using ILGPU.Runtime;

namespace DenseNetGen.Backends.Ilgpu.KernelSets;

/// <summary>
/// The one place that knows the ILGPU backend's kernel sets: their names for DENSENET_KERNELS, which set an
/// accelerator gets by default, and every kernel they load (for the PTX compilation check). A new set adds its
/// class in this folder and a line here.
/// </summary>
internal static class KernelSetRegistry
{
    public const string EnvironmentVariable = "DENSENET_KERNELS";

    private static readonly KernelSetRegistration[] s_sets =
    [
        new("cpu", accelerator => new CpuKernelSet(accelerator), CpuKernelSet.Kernels),
    ];

    /// <summary>Every kernel any set loads.</summary>
    public static IReadOnlyList<Delegate> AllKernels { get; } = [.. s_sets.SelectMany(s => s.Kernels).Distinct()];

    /// <summary>The set DENSENET_KERNELS names, or null when it is unset (each accelerator then gets its default).</summary>
    /// <exception cref="ArgumentException">It names no set.</exception>
    public static KernelSetRegistration? FromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var name = value.Trim().ToLowerInvariant();
        return s_sets.FirstOrDefault(s => s.Name == name)
            ?? throw new ArgumentException($"{EnvironmentVariable}: unknown kernel set '{value}'; expected {string.Join(" or ", s_sets.Select(s => s.Name))}.");
    }

    /// <summary>Compiles <paramref name="chosen"/>, or the accelerator's default set, for <paramref name="accelerator"/>.</summary>
    public static IKernelSet Load(Accelerator accelerator, KernelSetRegistration? chosen) =>
        (chosen ?? DefaultFor(accelerator)).Load(accelerator);

    /// <summary>Today one set serves every accelerator.</summary>
    private static KernelSetRegistration DefaultFor(Accelerator accelerator) => s_sets[0];
}

/// <summary>A kernel set: its DENSENET_KERNELS name, how to compile it for an accelerator, and the kernels it loads.</summary>
internal sealed record KernelSetRegistration(string Name, Func<Accelerator, IKernelSet> Load, IReadOnlyList<Delegate> Kernels);
