namespace DenseNetGen.Backends;

/// <summary>
/// The one parser of the DENSENET_* environment settings: on/off, a count in a range, or one of a list of names.
/// Values are trimmed and case-insensitive, a blank value is the same as none, and every refusal is an
/// <see cref="InvalidSettingException"/> naming the variable, the value and what it accepts, so each setting
/// reads and fails alike.
/// </summary>
internal static class SettingParser
{
    private static readonly (string Name, bool Value)[] s_onOff = [("on", true), ("off", false)];

    /// <summary>The variable's value, or null when it is unset or blank.</summary>
    /// <param name="variable">The environment variable, e.g. "DENSENET_SPIN".</param>
    public static string? Read(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { } text && !string.IsNullOrWhiteSpace(text) ? text : null;

    /// <summary>"on" is true, "off" false.</summary>
    /// <param name="variable">The variable the text came from, for the message.</param>
    /// <param name="text">The value given.</param>
    /// <exception cref="InvalidSettingException">Anything else: "VARIABLE: unknown value 'x'; expected on or off."</exception>
    public static bool OnOff(string variable, string text) => OneOf(variable, text, "value", s_onOff);

    /// <summary>A whole number from 1 to <paramref name="max"/>, digits only.</summary>
    /// <param name="variable">The variable the text came from, for the message.</param>
    /// <param name="text">The value given.</param>
    /// <param name="what">What the number counts, for the message (e.g. "a thread count").</param>
    /// <param name="max">The largest value accepted.</param>
    /// <exception cref="InvalidSettingException">Anything else: "VARIABLE: expected WHAT from 1 to MAX, got 'x'."</exception>
    public static int Count(string variable, string text, string what, int max) =>
        int.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value)
        && value >= 1 && value <= max
            ? value
            : throw new InvalidSettingException(variable, $"{variable}: expected {what} from 1 to {max}, got '{text}'.");

    /// <summary>A positive whole number as users type large ones: digits, with '_' or ',' between groups allowed.</summary>
    /// <param name="variable">The variable (or option) the text came from, for the message.</param>
    /// <param name="text">The value given, e.g. "100_000_000".</param>
    /// <param name="what">What the number counts, for the message (e.g. "byte count").</param>
    /// <param name="example">A value to show in the message.</param>
    /// <exception cref="InvalidSettingException">Anything else: "VARIABLE: 'x' is not a WHAT; expected a positive integer such as EXAMPLE."</exception>
    public static long Amount(string variable, string text, string what, long example)
    {
        var digits = text.Trim().Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) && value >= 1
            ? value
            : throw new InvalidSettingException(variable, $"{variable}: '{text}' is not a {what}; expected a positive integer such as {example}.");
    }

    /// <summary>The value of the choice <paramref name="text"/> names.</summary>
    /// <param name="variable">The variable the text came from, for the message.</param>
    /// <param name="text">The value given.</param>
    /// <param name="what">What a choice is, for the message (e.g. "kernel set").</param>
    /// <param name="choices">The names accepted, lower case, in the order the message lists them, and their values.</param>
    /// <exception cref="InvalidSettingException">No choice has that name: "VARIABLE: unknown WHAT 'x'; expected a, b or c."</exception>
    public static T OneOf<T>(string variable, string text, string what, IReadOnlyList<(string Name, T Value)> choices)
    {
        var name = text.Trim().ToLowerInvariant();
        foreach (var (known, value) in choices)
            if (known == name) return value;
        throw new InvalidSettingException(variable, $"{variable}: unknown {what} '{text}'; expected {Alternatives(choices.Select(c => c.Name))}.");
    }

    /// <summary>"a or b", "a, b or c".</summary>
    public static string Alternatives(IEnumerable<string> names)
    {
        var list = names.ToArray();
        return list.Length == 1 ? list[0] : string.Join(", ", list[..^1]) + " or " + list[^1];
    }
}
