namespace DenseNetGen.Backends;

/// <summary>
/// The backend families that assemblies above the core have added (today only DenseNetGen.Gpu). It sits in the
/// contract layer so a backend registers itself without knowing the selection layer that reads the list.
/// </summary>
/// <remarks>
/// Registration happens before the first device opens: the GPU package's registration runs from a module
/// initializer that the source generator emits into every project referencing that package, or from an explicit
/// call. Registering the same family twice keeps one.
/// </remarks>
internal static class BackendFamilies
{
    private static readonly Lock Gate = new();
    private static IBackendFamily[] s_registered = [];

    /// <summary>The families registered so far, in registration order.</summary>
    public static IReadOnlyList<IBackendFamily> Registered => Volatile.Read(ref s_registered);

    public static void Register(IBackendFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        lock (Gate)
        {
            if (s_registered.Any(f => f.GetType() == family.GetType()))
                return;
            Volatile.Write(ref s_registered, [.. s_registered, family]);
        }
    }
}
