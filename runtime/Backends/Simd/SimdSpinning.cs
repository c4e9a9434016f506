namespace DenseNetGen.Backends.Simd;

/// <summary>Whether the SIMD CPU backend's waits spin before blocking (<see cref="Backends.ComputeOptions.Spinning"/>, DENSENET_SPIN).</summary>
internal static class SimdSpinning
{
    public const string EnvironmentVariable = "DENSENET_SPIN";

    /// <summary>The option's value; when null DENSENET_SPIN (on or off) when set, else on.</summary>
    /// <exception cref="ArgumentException">DENSENET_SPIN is neither on nor off.</exception>
    public static bool Resolve(bool? spinning) =>
        spinning ?? (Environment.GetEnvironmentVariable(EnvironmentVariable) is not { } text || Parse(text, EnvironmentVariable));

    /// <summary>on or off, any case.</summary>
    /// <param name="text">The value given.</param>
    /// <param name="origin">Where the text came from, for the error message.</param>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static bool Parse(string text, string origin) => text.Trim().ToLowerInvariant() switch
    {
        "on" => true,
        "off" => false,
        _ => throw new InvalidSettingException(origin, $"{origin}: unknown value '{text}'; expected on or off."),
    };
}
