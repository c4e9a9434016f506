namespace DenseNetGen.Backends.Simd.Winograd;

/// <summary>How the SIMD backend runs 3x3, stride 1, padding 1 convs (DENSENET_CONV3X3).</summary>
internal enum Conv3x3Algorithm
{
    /// <summary>Winograd, with the tile chosen per conv by its map size (the default).</summary>
    Winograd,

    /// <summary>The blocked direct conv every other conv runs, kept for comparison.</summary>
    Direct,
}

/// <summary>DENSENET_CONV3X3 read once per backend opened: <c>winograd</c> (default) or <c>direct</c>.</summary>
internal static class Conv3x3Setting
{
    public const string EnvironmentVariable = "DENSENET_CONV3X3";

    private static readonly (string Name, Conv3x3Algorithm Algorithm)[] s_names =
        [("winograd", Conv3x3Algorithm.Winograd), ("direct", Conv3x3Algorithm.Direct)];

    /// <exception cref="ArgumentException">The variable names no algorithm.</exception>
    public static Conv3x3Algorithm FromEnvironment() => Parse(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>A value of the variable: unset or blank is the default, names are case-insensitive.</summary>
    /// <exception cref="ArgumentException">The value names no algorithm.</exception>
    public static Conv3x3Algorithm Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Conv3x3Algorithm.Winograd;
        var name = value.Trim().ToLowerInvariant();
        foreach (var (known, algorithm) in s_names)
            if (known == name) return algorithm;
        throw new InvalidSettingException(EnvironmentVariable, $"{EnvironmentVariable}: unknown 3x3 conv algorithm '{value}'; expected {string.Join(" or ", s_names.Select(n => n.Name))}.");
    }

    public static string Name(Conv3x3Algorithm algorithm) => s_names.First(n => n.Algorithm == algorithm).Name;
}
