using DenseNetGen.Cli;

namespace DenseNetGen.Cli.Tests;

internal sealed record CliResult(int ExitCode, string Out, string Error);

/// <summary>Runs the `densenet` command in-process with captured output, from the repository root.</summary>
internal static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    public static string Sample(string name) => Path.Combine(RepositoryPaths.Root, "samples", "fashion-mnist", name);

    public static string Reference(string folder, string file) => Path.Combine(RepositoryPaths.References(folder), file);
}
