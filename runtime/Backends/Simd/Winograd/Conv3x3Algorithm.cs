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

    /// <exception cref="InvalidSettingException">The variable names no algorithm.</exception>
    public static Conv3x3Algorithm FromEnvironment() => Parse(SettingParser.Read(EnvironmentVariable));

    /// <summary>A value of the variable: unset or blank is the default, names are case-insensitive.</summary>
    /// <exception cref="InvalidSettingException">The value names no algorithm.</exception>
    public static Conv3x3Algorithm Parse(string? value) =>
        string.IsNullOrWhiteSpace(value) ? Conv3x3Algorithm.Winograd
        : SettingParser.OneOf(EnvironmentVariable, value, "3x3 conv algorithm", s_names);

    public static string Name(Conv3x3Algorithm algorithm) => s_names.First(n => n.Algorithm == algorithm).Name;
}
