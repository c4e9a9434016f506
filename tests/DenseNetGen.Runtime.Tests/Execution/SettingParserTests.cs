using DenseNetGen.Backends;

namespace DenseNetGen.Runtime.Tests.Execution;

/// <summary>
/// The shared parser of the DENSENET_* settings: trimmed, case-insensitive values, and one shape of refusal per kind
/// of setting, each an <see cref="InvalidSettingException"/> naming the variable, the value and what is accepted.
/// </summary>
public sealed class SettingParserTests
{
    private static readonly (string Name, int Value)[] s_sizes = [("small", 1), ("medium", 2), ("large", 3)];

    [Theory]
    [InlineData("on", true)]
    [InlineData(" OFF ", false)]
    [InlineData("On", true)]
    public void OnAndOffAreReadInAnyCase(string text, bool expected) => Assert.Equal(expected, SettingParser.OnOff("DENSENET_X", text));

    [Theory]
    [InlineData("yes")]
    [InlineData("1")]
    [InlineData("")]
    public void AnythingButOnOrOffIsRefused(string text)
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingParser.OnOff("DENSENET_X", text));
        Assert.Equal("DENSENET_X", error.Setting);
        Assert.Equal($"DENSENET_X: unknown value '{text}'; expected on or off.", error.Message);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData(" 16 ", 16)]
    [InlineData("64", 64)]
    public void ACountFromOneToTheMaximumIsRead(string text, int expected) => Assert.Equal(expected, SettingParser.Count("DENSENET_N", text, "a count", 64));

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("-3")]
    [InlineData("+3")]
    [InlineData("2.0")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public void AnythingButACountInRangeIsRefused(string text)
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingParser.Count("DENSENET_N", text, "a count", 64));
        Assert.Equal("DENSENET_N", error.Setting);
        Assert.Equal($"DENSENET_N: expected a count from 1 to 64, got '{text}'.", error.Message);
    }

    [Theory]
    [InlineData("small", 1)]
    [InlineData("LARGE", 3)]
    [InlineData(" Medium", 2)]
    public void AChoiceIsFoundByName(string text, int expected) => Assert.Equal(expected, SettingParser.OneOf("DENSENET_SIZE", text, "size", s_sizes));

    [Fact]
    public void AnUnknownChoiceIsRefusedListingTheChoicesInOrder()
    {
        var error = Assert.Throws<InvalidSettingException>(() => SettingParser.OneOf("DENSENET_SIZE", "huge", "size", s_sizes));
        Assert.Equal("DENSENET_SIZE", error.Setting);
        Assert.Equal("DENSENET_SIZE: unknown size 'huge'; expected small, medium or large.", error.Message);
    }

    [Fact]
    public void AnUnsetOrBlankVariableReadsAsNone()
    {
        const string variable = "DENSENET_SETTING_PARSER_TEST";
        try
        {
            Environment.SetEnvironmentVariable(variable, " \t");
            Assert.Null(SettingParser.Read(variable));
            Environment.SetEnvironmentVariable(variable, " x ");
            Assert.Equal(" x ", SettingParser.Read(variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        Assert.Null(SettingParser.Read(variable));
    }
}
