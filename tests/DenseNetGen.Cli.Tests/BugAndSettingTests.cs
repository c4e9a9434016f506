using System.CommandLine;
using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// An exception that is no user mistake is a bug: one line saying so, exit 3, the stack trace only with --verbose.
/// Settings from the environment (DENSENET_DEVICE, DENSENET_KERNELS, DENSENET_CUDA_GRAPHS, DENSENET_SELF_TEST, DENSENET_CONV3X3, DENSENET_MAX_IMAGE_PIXELS) are usage
/// errors when invalid.
/// </summary>
[Collection(ProcessWideSettings.Name)]
public sealed class BugAndSettingTests
{
    // A command that fails the way a bug inside densenet would: an exception no user input explains.
    private static Command Broken()
    {
        var command = new Command("broken", "fails like a bug");
        command.SetAction(_ => Helper());
        return command;

        static int Helper() => throw new InvalidOperationException("the plan has no ops");
    }

    private static CliResult RunWithBroken(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr, [Broken()]);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void An_unexpected_exception_is_one_line_saying_it_is_a_bug_and_exits_3()
    {
        var result = RunWithBroken("broken");

        Assert.Equal(CliApp.Bug, result.ExitCode);
        var line = Assert.Single(result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("bug in densenet", line);
        Assert.Contains("InvalidOperationException: the plan has no ops", line);
        Assert.Contains("--verbose", line);
        Assert.DoesNotContain("   at ", result.Error);
    }

    [Fact]
    public void Verbose_shows_the_stack_trace_of_a_bug()
    {
        var result = RunWithBroken("broken", "--verbose");

        Assert.Equal(CliApp.Bug, result.ExitCode);
        Assert.Contains("bug in densenet", result.Error);
        Assert.Contains("   at ", result.Error);
        Assert.Contains(nameof(BugAndSettingTests), result.Error);
    }

    [Fact]
    public void Verbose_changes_nothing_for_user_errors()
    {
        var result = Run("predict", "no/such/image.png", "--verbose");

        Assert.Equal(CliApp.Failure, result.ExitCode);
        UsageAndErrorTests.AssertNoStackTrace(result);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("gpu0")]
    public void An_invalid_DENSENET_DEVICE_is_a_usage_error(string value)
    {
        var result = ProcessWideSettings.WithEnvironment("DENSENET_DEVICE", value, () => Run("predict", Sample("bag.png")));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains($"DENSENET_DEVICE: unknown device '{value}'", result.Error);
        UsageAndErrorTests.AssertNoStackTrace(result);
    }

    [Theory]
    [InlineData("DENSENET_KERNELS", "DENSENET_KERNELS: unknown kernel set 'simd'; expected cpu or gpu.")]
    [InlineData("DENSENET_CUDA_GRAPHS", "DENSENET_CUDA_GRAPHS: unknown value 'simd'; expected on or off.")]
    public void An_invalid_ILGPU_setting_is_a_usage_error(string variable, string message)
    {
        // DENSENET_CUDA_GRAPHS is read by CUDA devices with the GPU set only; DENSENET_KERNELS=gpu makes the CPU
        // accelerator one that reads it, so the check of its value is seen here without a GPU.
        var result = ProcessWideSettings.WithEnvironment(variable, "simd", () => ProcessWideSettings.WithEnvironment(
            "DENSENET_KERNELS", variable == "DENSENET_KERNELS" ? "simd" : "gpu", () => Run("predict", Sample("bag.png"), "--device", "ilgpu-cpu")));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains(message, result.Error);
        UsageAndErrorTests.AssertNoStackTrace(result);
    }

    [Fact]
    public void An_invalid_DENSENET_SELF_TEST_is_a_usage_error()
    {
        var result = ProcessWideSettings.WithEnvironment("DENSENET_SELF_TEST", "maybe", () => Run("predict", Sample("bag.png"), "--device", "cpu"));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("DENSENET_SELF_TEST: unknown value 'maybe'; expected on or off.", result.Error);
        UsageAndErrorTests.AssertNoStackTrace(result);
    }

    /// <summary>
    /// How a device's opening fails decides the exit code: an <see cref="Backends.InvalidSettingException"/> is the
    /// user's (exit 2), any other ArgumentException the backend's own bug (exit 3), not a usage error.
    /// </summary>
    [Theory]
    [InlineData(true, CliApp.Usage, "densenet: DENSENET_KERNELS: unknown kernel set 'x'")]
    [InlineData(false, CliApp.Bug, "bug in densenet, please report it: ArgumentException: the tile does not fit")]
    public void Opening_a_device_is_a_usage_error_only_for_an_invalid_setting(bool setting, int exitCode, string message)
    {
        var command = new Command("open", "opens a device that fails");
        command.SetAction(_ => ModelOptions.Opening<int>(() => throw (setting
            ? new Backends.InvalidSettingException("DENSENET_KERNELS", "DENSENET_KERNELS: unknown kernel set 'x'")
            : new ArgumentException("the tile does not fit"))));
        var stderr = new StringWriter();

        int code = CliApp.Run(["open"], new StringWriter(), stderr, [command]);

        Assert.Equal(exitCode, code);
        Assert.Contains(message, stderr.ToString());
    }

    [Fact]
    public void An_invalid_DENSENET_CONV3X3_is_a_usage_error()
    {
        // --device cpu opens a device of its own: the process's default device would keep the failure for later tests.
        var result = ProcessWideSettings.WithEnvironment("DENSENET_CONV3X3", "fft", () => Run("predict", Sample("bag.png"), "--device", "cpu"));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        var line = Assert.Single(result.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("DENSENET_CONV3X3: unknown 3x3 conv algorithm 'fft'; expected winograd or direct.", line);
        UsageAndErrorTests.AssertNoStackTrace(result);
    }

    [Fact]
    public void The_image_cap_option_refuses_a_larger_image_naming_the_file()
    {
        // The samples are 28x28 = 784 pixels.
        var refused = Run("predict", Sample("bag.png"), "--max-image-pixels", "783");
        var allowed = Run("predict", Sample("bag.png"), "--max-image-pixels", "784");

        Assert.Equal(CliApp.Failure, refused.ExitCode);
        Assert.Contains("bag.png", refused.Error);
        Assert.Contains("28x28 = 784 pixels, more than the cap of 783", refused.Error);
        Assert.Equal(CliApp.Ok, allowed.ExitCode);
    }

    [Fact]
    public void The_image_cap_comes_from_the_environment_when_no_option_is_given()
    {
        var refused = ProcessWideSettings.WithEnvironment("DENSENET_MAX_IMAGE_PIXELS", "700", () => Run("predict", Sample("bag.png")));
        var optionWins = ProcessWideSettings.WithEnvironment("DENSENET_MAX_IMAGE_PIXELS", "700",
            () => Run("predict", Sample("bag.png"), "--max-image-pixels", "1000"));

        Assert.Equal(CliApp.Failure, refused.ExitCode);
        Assert.Contains("more than the cap of 700", refused.Error);
        Assert.Equal(CliApp.Ok, optionWins.ExitCode);
    }

    [Fact]
    public void A_blank_image_cap_in_the_environment_is_the_default()
    {
        // 28x28 is under the default cap; a blank value is no value, as for every DENSENET_* setting.
        var result = ProcessWideSettings.WithEnvironment("DENSENET_MAX_IMAGE_PIXELS", "  ", () => Run("predict", Sample("bag.png")));

        Assert.True(result.ExitCode == CliApp.Ok, result.Error);
        Assert.Contains("Bag", result.Out);
    }

    [Theory]
    [InlineData("--max-image-pixels", "0")]
    [InlineData("--max-image-pixels", "lots")]
    [InlineData("DENSENET_MAX_IMAGE_PIXELS", "-1")]
    public void An_invalid_image_cap_is_a_usage_error(string origin, string value)
    {
        var result = origin.StartsWith("--", StringComparison.Ordinal)
            ? Run("predict", Sample("bag.png"), origin, value)
            : ProcessWideSettings.WithEnvironment(origin, value, () => Run("predict", Sample("bag.png")));

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains($"{origin}: '{value}' is not a pixel count", result.Error);
    }
}
