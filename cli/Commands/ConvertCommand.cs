using System.CommandLine;
using DenseNetGen.Checkpoints;
using DenseNetGen.IO;

namespace DenseNetGen.Cli.Commands;

/// <summary>
/// `densenet convert`: binds a checkpoint to a model and writes the bound weights as .safetensors (torchvision's
/// names, the model card in the header), so later loads need no pickle.
/// </summary>
internal static class ConvertCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new ModelOptions();
        var output = new Option<FileInfo>("--out", "-o") { Description = "The .safetensors file to write: a new path, or a regular file (replaced)", Required = true };
        var command = new Command("convert", "Write a checkpoint's weights for a model as .safetensors, with no pickle") { output };
        command.Options.Add(model.Model);
        command.Options.Add(model.Weights);
        command.Options.Add(model.Ema);
        command.SetAction(parsed =>
        {
            var zooModel = model.ResolveModel(parsed);
            var weights = parsed.GetValue(model.Weights);
            var destination = parsed.GetValue(output)!;
            if (weights is not null && string.Equals(weights.FullName, destination.FullName, StringComparison.Ordinal))
                throw new UsageException("--out must not be the --weights file.");
            CheckOutput(destination);
            var bound = zooModel.BindWeights(weights?.FullName, model.CheckpointOptions(parsed));
            SafetensorsWriter.Write(destination.FullName, bound, zooModel.Definition, zooModel.Card);
            long values = bound.Tensors.Values.Sum(t => (long)t.Data.Length);
            destination.Refresh();
            stdout.WriteLine($"wrote {destination} ({destination.Length:N0} bytes): {zooModel.Name}, {bound.Tensors.Count} tensors ({values:N0} float32 values) from {bound.Source} ({bound.Format}{(bound.Entry is { } entry ? $" entry '{entry}'" : "")}, {bound.Convention} naming)");
            return CliApp.Ok;
        });
        return command;
    }

    // Only a regular file is replaced, or a new one made: as root, writing to /dev/full once replaced the device
    // with a regular file, and following a link writes wherever it points.
    private static void CheckOutput(FileInfo destination)
    {
        var reason = InputFile.KindOf(destination.FullName, followLinks: false) switch
        {
            FileKind.SymbolicLink => "is a symbolic link",
            FileKind.Directory => "is a directory",
            FileKind.Other => "is a device, FIFO or socket",
            _ => null,
        };
        if (reason is not null) throw new UsageException($"--out {destination.FullName} {reason}; it must be a regular file or a new path.");
    }
}
