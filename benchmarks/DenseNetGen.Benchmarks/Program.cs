using DenseNetGen.Backends;
using System.CommandLine;
using DenseNetGen.Benchmarks.Commands;
using DenseNetGen.Execution;

var root = new RootCommand("DenseNetGen benchmarks and device checks: devices, parity against PyTorch, timings.");
root.Subcommands.Add(DevicesCommand.Create());
root.Subcommands.Add(ParityCommand.Create());
root.Subcommands.Add(QuickCommand.Create());
root.Subcommands.Add(SlicingCommand.Create());
root.Subcommands.Add(ThreadsCommand.Create());
root.Subcommands.Add(ProfileCommand.Create());
root.Subcommands.Add(KernelsCommand.Create());
root.Subcommands.Add(CompareCommand.Create());
root.Subcommands.Add(BdnCommand.Create());
root.Subcommands.Add(ServeLoadCommand.Create());
try
{
    return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
// What a user can fix (a model name, a missing device or folder) is one line; anything else keeps its stack trace.
catch (Exception e) when (e is ArgumentException or DeviceUnavailableException or IOException)
{
    Console.Error.WriteLine($"densenet-bench: {e.Message}");
    return 2;
}
