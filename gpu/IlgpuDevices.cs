namespace DenseNetGen.Backends.Ilgpu;

/// <summary>
/// Adds ILGPU's devices (cuda, opencl, ilgpu-cpu) to the devices <c>ComputeDevice.Open</c> and auto consider.
/// </summary>
/// <remarks>
/// A project that references DenseNetGen.Gpu needs no call: the DenseNetGen source generator emits a module
/// initializer that calls <see cref="Register"/> into every project whose references include this assembly. Call it
/// yourself only where that generator does not run (a project without the DenseNetGen package's analyzer).
/// </remarks>
public static class IlgpuDevices
{
    /// <summary>Registers ILGPU's devices; later calls do nothing. Call before the first device opens.</summary>
    public static void Register() => BackendFamilies.Register(new IlgpuFamily());
}
