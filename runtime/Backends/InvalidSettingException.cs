namespace DenseNetGen.Backends;

/// <summary>
/// An environment setting (DENSENET_DEVICE, DENSENET_THREADS, DENSENET_SPIN, DENSENET_CONV3X3, DENSENET_KERNELS,
/// DENSENET_CUDA_GRAPHS), or the option that stands for it (--device), holds a value it does not know: the user's
/// mistake, which a command line reports as a usage error. <c>SettingParser</c> throws it for every such setting.
/// Any other <see cref="ArgumentException"/> from opening a device is a bug of the backend.
/// </summary>
/// <param name="setting">The environment variable (or option).</param>
/// <param name="message">What is wrong and what is expected, starting with the variable's name.</param>
public sealed class InvalidSettingException(string setting, string message) : ArgumentException(message)
{
    /// <summary>The environment variable (or option) whose value is invalid.</summary>
    public string Setting { get; } = setting;
}
