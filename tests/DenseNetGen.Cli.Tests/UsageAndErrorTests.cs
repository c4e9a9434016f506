using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

/// <summary>Exit codes and messages for user mistakes: 2 for usage, 1 for failures, never a stack trace.</summary>
public sealed class UsageAndErrorTests
{
    [Theory]
    [InlineData("predict")]
    [InlineData("predict", "x.png", "--topk", "many")]
    [InlineData("frobnicate")]
    [InlineData("test", "--model", "densenet121")]
    [InlineData("predict", "x.png", "--model", "resnet50")]
    [InlineData("info", "--model", "densenet9000")]
    public void UsageErrorsExitWithTwo(params string[] args)
    {
        var result = Run(args);

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.NotEmpty(result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void ImageNetModelWithoutWeightsIsAUsageErrorNamingTheReleaseFile()
    {
        var result = Run("predict", Sample("bag.png"), "--model", "densenet121_3rdparty_in1k");

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("densenet121_4xb256_in1k_20220426-07450f99.pth", result.Error);
    }

    [Fact]
    public void UnknownDeviceIsAUsageError()
    {
        var result = Run("predict", Sample("bag.png"), "--device", "tpu");

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("unknown device 'tpu'", result.Error);
    }

    [Fact]
    public void UnknownPrecisionIsAUsageError()
    {
        var result = Run("predict", Sample("bag.png"), "--precision", "fp16");

        Assert.Equal(CliApp.Usage, result.ExitCode);
        Assert.Contains("unknown precision 'fp16'; expected fp32 or tf32", result.Error);
    }

    [Fact]
    public void Tf32OffCudaFailsWithOneLine()
    {
        var result = Run("predict", Sample("bag.png"), "--device", "cpu", "--precision", "tf32");

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("tf32 precision runs on CUDA tensor cores", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void MissingImageFailsWithOneLine()
    {
        var result = Run("predict", "no/such/image.png");

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("no/such/image.png", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void UndecodableImageFailsNamingTheFile()
    {
        var notAnImage = Reference("checkpoints", "manifest.json");

        var result = Run("predict", notAnImage);

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("manifest.json", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void MissingCheckpointFailsWithOneLine()
    {
        var result = Run("check", "--model", "densenet121", "--weights", "missing.pth");

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("missing.pth", result.Error);
        AssertNoStackTrace(result);
    }

    [Fact]
    public void MissingDataFolderFails()
    {
        var result = Run("test", "--data", "/no/such/folder");

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("/no/such/folder", result.Error);
    }

    internal static void AssertNoStackTrace(CliResult result)
    {
        Assert.DoesNotContain("   at ", result.Error);
        Assert.DoesNotContain("Exception", result.Error);
    }
}
