using System.CommandLine;
using System.Globalization;
using DenseNetGen.Execution;
using DenseNetGen.Planning;
using DenseNetGen.Zoo;

namespace DenseNetGen.Cli.Commands;

/// <summary>`densenet info`: the zoo as mmpretrain's model table, one model's structure, or the devices ILGPU sees.</summary>
internal static class InfoCommand
{
    public static Command Create(TextWriter stdout)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Show one model's structure" };
        var devices = new Option<bool>("--devices") { Description = "List the devices ILGPU sees" };
        var command = new Command("info", "List the models (parameters, FLOPs), a model's layers, or the devices") { model, devices };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(devices)) WriteDevices(stdout);
            else if (parsed.GetValue(model) is { } name) WriteModel(stdout, ModelOptions.Find(name));
            else WriteZoo(stdout);
            return CliApp.Ok;
        });
        return command;
    }

    private static void WriteZoo(TextWriter stdout)
    {
        stdout.WriteLine($"{"model",-16}{"params",9}{"FLOPs",9}{"input",12}{"classes",9}  weights");
        foreach (var m in DenseNets.Models)
        {
            var (plan, card) = (m.Definition, m.Card);
            stdout.WriteLine($"{m.Name,-16}{Millions(card.ParameterCount),9}{Giga(card.FlopCount),9}" +
                $"{$"{plan.InChannels}x{plan.InputSize}x{plan.InputSize}",12}{plan.NumClasses,9}  {WeightsNote(m)}");
        }
        stdout.WriteLine();
        stdout.WriteLine("FLOPs follow mmpretrain's metafile (mmcv's counter): conv multiply-accumulates plus BN (2), ReLU and pooling (1) per element, classifier left out, at the input size.");
        stdout.WriteLine("Also known as: " + string.Join("; ", DenseNets.Models.Select(m => string.Join(", ", m.Names))));
    }

    private static void WriteModel(TextWriter stdout, ZooModel model)
    {
        var (plan, card) = (model.Definition, model.Card);
        var p = card.Preprocess;
        stdout.WriteLine($"{plan.Name} ({string.Join(", ", model.Names)})");
        stdout.WriteLine($"  {model.Summary}");
        stdout.WriteLine($"  parameters  {card.ParameterCount:N0} ({Millions(card.ParameterCount)})");
        stdout.WriteLine($"  FLOPs       {Giga(card.FlopCount)} at {plan.InputSize}x{plan.InputSize}");
        stdout.WriteLine($"  input       {plan.InChannels}x{plan.InputSize}x{plan.InputSize}");
        stdout.WriteLine($"  preprocess  resize short edge {p.ResizeShortEdge}, center crop {p.CropSize}, mean [{Floats(p.Mean)}], std [{Floats(p.Std)}]");
        stdout.WriteLine($"  labels      {LabelsNote(card)} ({plan.NumClasses} classes)");
        stdout.WriteLine($"  weights     {WeightsNote(model)}");
        stdout.WriteLine();
        stdout.WriteLine($"  {"stage",-14}{"layers",7}  {"channels",-14}{"output",9}");
        var sizes = PlanShapes.BufferSizes(plan, plan.InputSize, plan.InputSize);
        foreach (var (stage, span) in card.Stages.Zip(plan.Stages))
        {
            int output = plan.Ops[span.FirstOp + span.OpCount - 1].Writes.Buffer;
            var size = sizes[output] is { } s ? $"{s.Height}x{s.Width}" : "";
            stdout.WriteLine($"  {stage.Name,-14}{(stage.Layers > 0 ? stage.Layers.ToString(CultureInfo.InvariantCulture) : ""),7}  {$"{stage.InChannels} → {stage.OutChannels}",-14}{size,9}  {stage.Description}");
        }
    }

    // The SIMD line reads DENSENET_THREADS and DENSENET_SPIN: a bad value is the user's, as when a device opens.
    private static void WriteDevices(TextWriter stdout)
    {
        foreach (var d in ModelOptions.Opening(ComputeDevice.ListDevices)) stdout.WriteLine(d);
    }

    /// <summary>
    /// How the model names its classes: its own names (the first few, quoted), a built-in set's name, or "numbered".
    /// </summary>
    internal static string LabelsNote(ModelCard card)
    {
        const int shown = 5;
        if (card.ClassNames is not { } names) return card.Labels ?? "numbered";
        var quoted = names.Take(shown).Select(n => $"\"{n}\"");
        return "own names " + string.Join(", ", quoted) + (names.Count > shown ? ", …" : "");
    }

    private static string WeightsNote(ZooModel m) =>
        m.EmbeddedWeights is not null ? "embedded" : $"bring your own ({m.PretrainedFile})";

    private static string Millions(long n) => (n / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M";
    private static string Giga(long n) => (n / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + "G";
    private static string Floats(IReadOnlyList<float> v) => string.Join(", ", v.Select(x => x.ToString("0.###", CultureInfo.InvariantCulture)));
}
