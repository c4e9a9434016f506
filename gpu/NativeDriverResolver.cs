using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// ILGPU imports its drivers as <c>cuda</c> and <c>OpenCL</c>, which .NET probes as libcuda.so / libOpenCL.so.
/// Those unversioned names come only with development packages; the driver packages ship libcuda.so.1 and
/// libOpenCL.so.1. This maps the import names to the versioned sonames when the plain ones are missing.
/// </summary>
/// <remarks>
/// A ResolvingUnmanagedDll handler on the default load context (tried only after normal probing fails) is used
/// instead of NativeLibrary.SetDllImportResolver on ILGPU's assembly: an assembly takes one resolver only, and
/// ILGPU installs its own there when it runs under WSL. Both hooks do see ILGPU's imports (checked with 1.5.3).
/// </remarks>
internal static class NativeDriverResolver
{
    private static int s_registered;

    /// <summary>Installs the handler once per process; call before the first ILGPU context.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            AssemblyLoadContext.Default.ResolvingUnmanagedDll += Resolve;
    }

    /// <summary>The versioned sonames to try for an import name, or none if the name is not a driver ILGPU loads.</summary>
    public static IReadOnlyList<string> Candidates(string importName) => importName switch
    {
        "cuda" or "libcuda" or "libcuda.so" => ["libcuda.so.1"],
        "OpenCL" or "libOpenCL" or "libOpenCL.so" => ["libOpenCL.so.1"],
        _ => [],
    };

    private static IntPtr Resolve(Assembly assembly, string importName)
    {
        foreach (var candidate in Candidates(importName))
            if (NativeLibrary.TryLoad(candidate, out var handle))
                return handle;
        return IntPtr.Zero;
    }

    /// <summary>Whether a driver library can be loaded by its import name or its versioned soname.</summary>
    public static bool CanLoad(string importName)
    {
        foreach (var name in Candidates(importName).Prepend("lib" + importName + ".so"))
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                NativeLibrary.Free(handle);
                return true;
            }
        }
        return false;
    }
}
