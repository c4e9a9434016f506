namespace DenseNetGen.Backends.Simd.Levels;

/// <summary>
/// The C interface between an app and a level library: the SIMD backend of this assembly compiled by NativeAOT as a
/// shared library for one x86-64 level (<see cref="X86Level"/>), which a NativeAOT app compiled for the portable
/// x86-64-v2 baseline loads to run at the width the CPU has. Both sides are this assembly's code: the exports in
/// <see cref="LevelExports"/>, the caller in <see cref="LevelLibrary"/>. Everything they agree on is stated here once.
/// </summary>
/// <remarks>
/// Calls return a <see cref="LevelStatus"/>; after a failure <see cref="Text"/> gives the exception's message and
/// detail (<see cref="LevelText"/>) on the calling thread. Handles are the library's GC handles, released by
/// <see cref="Free"/>. Text comes back as UTF-8 into the caller's buffer: <see cref="Text"/> returns the length it
/// needed, −1 for none, or −1 − a status when it failed; the caller asks again with a larger buffer when the length
/// is more than it gave. The library keeps no pointer it is given past the call.
/// </remarks>
internal static class LevelAbi
{
    /// <summary>Changes whenever any export's signature or meaning does; the caller refuses a library of another.</summary>
    public const int Version = 2;

    public const string Abi = "densenetgen_level_abi";
    public const string Open = "densenetgen_level_open";
    public const string Text = "densenetgen_level_text";
    public const string Prepare = "densenetgen_level_prepare";
    public const string DeviceBytes = "densenetgen_level_device_bytes";
    public const string Shape = "densenetgen_level_shape";
    public const string Run = "densenetgen_level_run";
    public const string Free = "densenetgen_level_free";
}

/// <summary>What a level export returns: success, or which exception family the failure belongs to.</summary>
internal enum LevelStatus
{
    Ok,
    /// <summary><see cref="ArgumentException"/> (its message names the parameter).</summary>
    Argument,
    /// <summary><see cref="InvalidSettingException"/>; <see cref="LevelText.ErrorDetail"/> is the setting.</summary>
    InvalidSetting,
    /// <summary><see cref="Checkpoints.CheckpointException"/>; the detail is the file name.</summary>
    Checkpoint,
    /// <summary><see cref="NotSupportedException"/>.</summary>
    NotSupported,
    /// <summary><see cref="DeviceUnavailableException"/>.</summary>
    DeviceUnavailable,
    /// <summary><see cref="OutOfMemoryException"/>.</summary>
    OutOfMemory,
    /// <summary>Anything else, reported as <see cref="InvalidOperationException"/> naming the level, with the original message.</summary>
    Other,
}

/// <summary>Which text <see cref="LevelAbi.Text"/> returns.</summary>
internal enum LevelText
{
    /// <summary>An opened backend's device description.</summary>
    Description,
    /// <summary>An opened backend's settings ("; 3x3 convs: winograd").</summary>
    Settings,
    /// <summary>The vector width the library runs at, as the device line names it (no handle).</summary>
    Width,
    /// <summary>A shape's kernel for one op (null when the backend does not say).</summary>
    Kernel,
    /// <summary>The last failure's message.</summary>
    ErrorMessage,
    /// <summary>The last failure's setting or file name (null when it has none).</summary>
    ErrorDetail,
}
