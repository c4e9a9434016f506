namespace DenseNetGen.Backends.Ilgpu.Runner;

/// <summary>
/// A fault the GPU set's runner injects, for tests only: set through <see cref="IlgpuDevice.Fault"/>, which is
/// internal (tests reach it through InternalsVisibleTo) and null in every device a user opens. It shows that the
/// self-test catches a kernel that computes wrongly, and that an aborted split launch cannot spoil the next call.
/// </summary>
/// <param name="Op">The plan op whose launch goes wrong: the conv of a tiled launch.</param>
/// <param name="Kind">What goes wrong.</param>
internal sealed record LaunchFault(int Op, LaunchFaultKind Kind);

/// <summary>How an injected <see cref="LaunchFault"/> goes wrong.</summary>
internal enum LaunchFaultKind
{
    /// <summary>The launch runs, then its output channels of the first image are zeroed, on every call: a kernel with a wrong result.</summary>
    WrongResult,

    /// <summary>
    /// A split launch runs only its first K slice's groups, which count themselves in the arrival counts and stop,
    /// then the call fails: what a launch that died midway leaves behind. Once: the fault clears itself.
    /// </summary>
    AbortSplit,
}

/// <summary>The call failed because a <see cref="LaunchFaultKind.AbortSplit"/> fault was injected.</summary>
internal sealed class InjectedFaultException(string message) : Exception(message);
