using DenseNetGen.Cli;

namespace DenseNetGen.Serving.Tests;

/// <summary>`densenet serve` refuses what it cannot serve with one line and the CLI's exit codes, before listening.</summary>
public sealed class ServeUsageTests
{
    [Theory]
    [InlineData(new[] { "--model", "densenet121" }, CliApp.Usage, "densenet121 ships without weights: follow --model densenet121 with --weights FILE")]
    [InlineData(new[] { "--model", "fashion-mnist", "--model", "densenet-fashion-mnist" }, CliApp.Usage, "fashion-mnist is named twice")]
    [InlineData(new[] { "--model", "resnet50" }, CliApp.Usage, "Unknown model 'resnet50'")]
    [InlineData(new[] { "--model", "fashion-mnist:1", "--model", "fashion-mnist:2" }, CliApp.Usage, "fashion-mnist is named twice")]
    [InlineData(new[] { "--model", "fashion-mnist:" }, CliApp.Usage, "--model fashion-mnist:: a version is 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit.")]
    [InlineData(new[] { "--model", "fashion-mnist:../2" }, CliApp.Usage, "--model fashion-mnist:../2: a version is 1 to 64")]
    [InlineData(new[] { "--weights", "no-such.pth" }, CliApp.Failure, "Checkpoint not found")]
    [InlineData(new[] { "--model", "fashion-mnist", "--weights", "a.pth", "--weights", "b.pth" }, CliApp.Usage, "has two --weights")]
    [InlineData(new[] { "--max-batch", "0" }, CliApp.Usage, "--max-batch must be between 1 and 1024, got 0")]
    [InlineData(new[] { "--request-timeout", "0" }, CliApp.Usage, "--request-timeout must be between")]
    public void Bad_arguments_are_one_line_and_an_exit_code(string[] arguments, int exitCode, string message)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        int code = CliApp.Run(["serve", "--urls", "http://127.0.0.1:0", .. arguments], stdout, stderr);

        Assert.Equal(exitCode, code);
        Assert.Contains(message, stderr.ToString());
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
        Assert.DoesNotContain("listening", stdout.ToString());
    }
}
