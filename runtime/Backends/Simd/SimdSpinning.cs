namespace DenseNetGen.Backends.Simd;

/// <summary>Whether the SIMD CPU backend's waits spin before blocking (<see cref="Backends.ComputeOptions.Spinning"/>, DENSENET_SPIN).</summary>
internal static class SimdSpinning
{
    public const string EnvironmentVariable = "DENSENET_SPIN";

    /// <summary>The option's value; when null DENSENET_SPIN (on or off) when set, else on.</summary>
    /// <exception cref="InvalidSettingException">DENSENET_SPIN is neither on nor off.</exception>
    public static bool Resolve(bool? spinning) =>
        spinning ?? (SettingParser.Read(EnvironmentVariable) is not { } text || SettingParser.OnOff(EnvironmentVariable, text));
}
