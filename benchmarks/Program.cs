using System.CommandLine;
using DenseNetGen.Benchmarks.Commands;

var root = new RootCommand("DenseNetGen benchmarks and device checks: devices, parity against PyTorch, timings.");
root.Subcommands.Add(DevicesCommand.Create());
root.Subcommands.Add(ParityCommand.Create());
root.Subcommands.Add(QuickCommand.Create());
return root.Parse(args).Invoke();
