using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// DENSENET_THREADS and DENSENET_SPIN, read as the SIMD CPU backend opens: they set its defaults, --threads wins
/// over DENSENET_THREADS, and an invalid value is a usage error. --device cpu opens a fresh device on every run
/// (the process-wide default device is opened once and would not read them again).
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class ThreadSettingTests
{
    [Theory]
    [InlineData("DENSENET_THREADS", "two", "DENSENET_THREADS: expected a thread count from 1 to 1024, got 'two'.")]
    [InlineData("DENSENET_THREADS", "0", "DENSENET_THREADS: expected a thread count from 1 to 1024, got '0'.")]
    [InlineData("DENSENET_THREADS", "1025", "DENSENET_THREADS: expected a thread count from 1 to 1024, got '1025'.")]
    [InlineData("DENSENET_SPIN", "sometimes", "DENSENET_SPIN: unknown value 'sometimes'; expected on or off.")]
    public void An_invalid_SIMD_setting_is_a_one_line_usage_error(string variable, string value, string message)
    {
        var result = ProcessWideSettings.WithEnvironment(variable, value, () => Run("predict", Sample("bag.png"), "--device", "cpu"));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Equal("densenet: " + message, result.Error.Trim());
    }

    [Fact]
    public void Info_devices_shows_the_threads_and_spinning_the_environment_sets()
    {
        var fromEnvironment = ProcessWideSettings.WithEnvironment("DENSENET_THREADS", "3", () => ProcessWideSettings.WithEnvironment(
            "DENSENET_SPIN", "off", () => Run("info", "--devices")));

        Assert.Equal(CliApp.Ok, fromEnvironment.ExitCode);
        var line = Assert.Single(fromEnvironment.Out.Split('\n'), l => l.Contains("SIMD CPU backend", StringComparison.Ordinal));
        Assert.EndsWith(", 3 threads, no spinning", line.TrimEnd());
    }

    [Fact]
    public void Info_devices_refuses_an_invalid_DENSENET_THREADS_in_one_line()
    {
        var result = ProcessWideSettings.WithEnvironment("DENSENET_THREADS", "abc", () => Run("info", "--devices"));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Equal("densenet: DENSENET_THREADS: expected a thread count from 1 to 1024, got 'abc'.", result.Error.Trim());
    }

    [Fact]
    public void The_environment_sets_threads_and_spinning_and_the_answer_stays()
    {
        var usual = Run("predict", Sample("bag.png"), "--device", "cpu", "--threads", "2");
        var fromEnvironment = ProcessWideSettings.WithEnvironment("DENSENET_THREADS", "3", () => ProcessWideSettings.WithEnvironment(
            "DENSENET_SPIN", "OFF", () => Run("predict", Sample("bag.png"), "--device", "cpu")));
        var optionWins = ProcessWideSettings.WithEnvironment("DENSENET_THREADS", "3", () => Run("predict", Sample("bag.png"), "--device", "cpu", "--threads", "1"));

        Assert.Equal(CliApp.Ok, fromEnvironment.ExitCode);
        Assert.Contains("(Vector", fromEnvironment.Out);
        Assert.Contains("3 threads, no spinning)", fromEnvironment.Out);
        Assert.Contains("1 thread)", optionWins.Out);
        Assert.Contains("2 threads)", usual.Out);
        // Everything after the device line (the predictions and their scores) is the same.
        Assert.Equal(usual.Out.Split('\n')[1..], fromEnvironment.Out.Split('\n')[1..]);
        Assert.Equal(usual.Out.Split('\n')[1..], optionWins.Out.Split('\n')[1..]);
    }
}
