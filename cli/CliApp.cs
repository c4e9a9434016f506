using System.CommandLine;
using DenseNetGen.Backends.Ilgpu;
using DenseNetGen.Cli.Commands;

namespace DenseNetGen.Cli;

/// <summary>
/// The `densenet` command. Exit codes: 0 ok, 1 a failure (one line on stderr), 2 a usage error, 3 a bug.
/// User mistakes (a missing file, a bad image, a checkpoint that does not fit) never print a stack trace; an
/// exception of any other kind is a bug in densenet: one line saying so, the stack trace only with --verbose.
/// </summary>
public static class CliApp
{
    /// <summary>Exit code: the command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>Exit code: bad input or an unavailable device; one line on stderr says what.</summary>
    public const int Failure = 1;

    /// <summary>Exit code: the command line itself is wrong (unknown option, missing argument).</summary>
    public const int Usage = 2;

    /// <summary>Exit code: an exception densenet did not expect, i.e. a bug in densenet.</summary>
    public const int Bug = 3;

    // The tool takes every package: ILGPU's devices join auto's choice (this project has no spec, so the source
    // generator's registration does not run here).
    static CliApp() => IlgpuDevices.Register();

    /// <summary>Parses <paramref name="args"/> and runs the command, writing results to <paramref name="stdout"/> and errors to <paramref name="stderr"/>.</summary>
    /// <returns>The exit code: <see cref="Ok"/>, <see cref="Failure"/>, <see cref="Usage"/> or <see cref="Bug"/>; never throws for bad input.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, stdout, stderr, []);

    /// <summary>Runs with <paramref name="extraCommands"/> beside the product's (tests add one that fails on purpose).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr, IEnumerable<Command> extraCommands)
    {
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Show the stack trace of an internal error", Recursive = true };
        var root = new RootCommand("DenseNets from .NET: predict images, evaluate data sets, inspect models, check and convert checkpoints.") { verbose };
        var commands = new[] { PredictCommand.Create(stdout, stderr), TestCommand.Create(stdout, stderr), InfoCommand.Create(stdout), CheckCommand.Create(stdout, stderr), ConvertCommand.Create(stdout),
            ServeCommand.Create(stdout) };
        foreach (var command in commands.Concat(extraCommands))
            root.Subcommands.Add(command);

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors) stderr.WriteLine($"densenet: {UserErrors.OneLine(error.Message)}");
            stderr.WriteLine("Try 'densenet --help'.");
            return Usage;
        }
        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (UserErrors.Describe(e) is { } message)
        {
            stderr.WriteLine($"densenet: {UserErrors.OneLine(message)}");
            return e is UsageException ? Usage : Failure;
        }
        catch (Exception e)
        {
            var details = parsed.GetValue(verbose) ? $"{Environment.NewLine}{e}" : " (run with --verbose for the stack trace)";
            stderr.WriteLine($"densenet: internal error, this is a bug in densenet, please report it: {e.GetType().Name}: {UserErrors.OneLine(e.Message)}{details}");
            return Bug;
        }
    }
}
