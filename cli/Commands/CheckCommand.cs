using System.CommandLine;
using DenseNetGen.Checkpoints;

namespace DenseNetGen.Cli.Commands;

/// <summary>
/// `densenet check`: does a checkpoint fit a model? Says which format, key convention and entry of the file it used,
/// the other entries it saw, and the globals it met that build no data (kept as inert placeholders, never run).
/// </summary>
internal static class CheckCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new ModelOptions();
        var command = new Command("check", "Validate a checkpoint against a model without running it");
        command.Options.Add(model.Model);
        command.Options.Add(model.Weights);
        command.Options.Add(model.Ema);
        command.SetAction(parsed =>
        {
            var zooModel = model.ResolveModel(parsed);
            var weights = parsed.GetValue(model.Weights)?.FullName;
            BoundCheckpoint bound;
            try
            {
                bound = zooModel.BindWeights(weights, model.CheckpointOptions(parsed));
            }
            catch (CheckpointException e)
            {
                // The verdict is one line on stderr; the keys that failed are the report, on stdout.
                var lines = e.Message.Split(Environment.NewLine);
                stderr.WriteLine($"densenet: {UserErrors.OneLine(lines[0])}");
                foreach (var line in lines.Skip(1)) stdout.WriteLine(line);
                return CliApp.Failure;
            }
            long values = bound.Tensors.Values.Sum(t => (long)t.Data.Length);
            stdout.WriteLine($"ok: {bound.Source} fits {zooModel.Name}");
            stdout.WriteLine($"  format      {bound.Format}");
            stdout.WriteLine($"  convention  {bound.Convention}");
            stdout.WriteLine($"  weights     {bound.Entry ?? "top level"}");
            if (bound.OtherEntries.Count > 0) stdout.WriteLine($"  also saw    {string.Join(", ", bound.OtherEntries)}");
            if (bound.Placeholders.Count > 0)
                stdout.WriteLine($"  placeholders {string.Join(", ", bound.Placeholders.Select(p => $"{p.Key} x{p.Value}"))} (never executed)");
            stdout.WriteLine($"  tensors     {bound.Tensors.Count} ({values:N0} values)");
            stdout.WriteLine($"  parameters  {zooModel.Card.ParameterCount:N0}");
            return CliApp.Ok;
        });
        return command;
    }
}
