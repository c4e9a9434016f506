using System.CommandLine;
using DenseNetGen.Cli.Commands;

namespace DenseNetGen.Cli;

/// <summary>
/// The `densenet` command. Exit codes: 0 ok, 1 a failure (message on stderr), 2 a usage error.
/// User mistakes (a missing file, a bad image, a checkpoint that does not fit) never print a stack trace.
/// </summary>
public static class CliApp
{
    public const int Ok = 0, Failure = 1, Usage = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("DenseNets from .NET: predict images, evaluate data sets, inspect models, check checkpoints.");
        foreach (var command in new[] { PredictCommand.Create(stdout, stderr), TestCommand.Create(stdout, stderr), InfoCommand.Create(stdout), CheckCommand.Create(stdout, stderr) })
            root.Subcommands.Add(command);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) stderr.WriteLine($"densenet: {error.Message}");
            stderr.WriteLine("Try 'densenet --help'.");
            return Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserErrors.Describe(e) is { } message)
        {
            stderr.WriteLine($"densenet: {message}");
            return e is UsageException ? Usage : Failure;
        }
    }
}
