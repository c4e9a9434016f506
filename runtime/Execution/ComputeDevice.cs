namespace DenseNetGen.Execution;

/// <summary>An ILGPU context and accelerator that models run on. Share one between models.</summary>
public sealed class ComputeDevice : IDisposable
{
    /// <summary>The process-wide device chosen by DENSENET_DEVICE (default auto), opened on first use.</summary>
    public static ComputeDevice Default => throw new NotImplementedException();

    public static ComputeDevice Open(DeviceKind kind = DeviceKind.Auto) => throw new NotImplementedException();

    public DeviceKind Kind => throw new NotImplementedException();

    public string Name => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
