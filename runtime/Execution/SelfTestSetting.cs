using DenseNetGen.Backends;

namespace DenseNetGen.Execution;

/// <summary>Whether devices run their self-test when they open (<see cref="ComputeOptions.SelfTest"/>, DENSENET_SELF_TEST).</summary>
internal static class SelfTestSetting
{
    public const string EnvironmentVariable = "DENSENET_SELF_TEST";

    /// <summary>The option's value; when null DENSENET_SELF_TEST (on or off) when set, else null: the device's default.</summary>
    /// <exception cref="InvalidSettingException">DENSENET_SELF_TEST is set to neither on nor off.</exception>
    public static bool? Resolve(bool? selfTest) =>
        selfTest ?? (SettingParser.Read(EnvironmentVariable) is { } text ? Parse(text) : null);

    /// <summary>DENSENET_SELF_TEST's value: on or off, any case.</summary>
    /// <exception cref="InvalidSettingException">Anything else.</exception>
    public static bool Parse(string text) => SettingParser.OnOff(EnvironmentVariable, text);
}
