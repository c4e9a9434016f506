using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DenseNetGen.Inference;

namespace DenseNetGen.Cli.Commands;

/// <summary>`densenet predict IMAGE...`: top-k classes of each image, as text or JSON.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new ModelOptions();
        var images = new Argument<FileInfo[]>("images") { Description = "Image files (JPEG, PNG, BMP, WebP)", Arity = ArgumentArity.OneOrMore };
        var topK = new Option<int>("--topk", "-k") { Description = "How many classes to show per image", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var command = new Command("predict", "Classify images") { images, topK, json };
        model.AddTo(command);
        command.SetAction(parsed =>
        {
            int k = parsed.GetValue(topK);
            if (k < 1) throw new UsageException("--topk must be at least 1.");
            var zooModel = model.ResolveModel(parsed);
            var files = parsed.GetValue(images)!;
            foreach (var file in files)
                if (!file.Exists) throw new FileNotFoundException($"Image not found: {file.FullName}");

            using var classifier = model.LoadClassifier(zooModel, parsed);
            var results = files.Select(f => (File: f.ToString(), Prediction: classifier.Predict(f.FullName, k))).ToList();
            if (parsed.GetValue(json))
            {
                WriteJson(stdout, classifier, results);
            }
            else
            {
                stdout.WriteLine($"{classifier.Model.Plan.Name} ({classifier.Model.Weights.Source}) on {classifier.Model.Device.Description}");
                WriteText(stdout, results);
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static void WriteText(TextWriter stdout, IEnumerable<(string File, Prediction Prediction)> results)
    {
        foreach (var (file, prediction) in results)
        {
            stdout.WriteLine(file);
            int width = prediction.TopK.Max(c => c.Label.Length);
            for (int i = 0; i < prediction.TopK.Count; i++)
            {
                var c = prediction.TopK[i];
                stdout.WriteLine($"  {i + 1}. {c.Label.PadRight(width)}  class {c.Index,4}  score {c.Score:0.0000}");
            }
        }
    }

    // Written with Utf8JsonWriter rather than JsonSerializer over anonymous types, which needs reflection that a
    // NativeAOT build of the tool does not have; the output is the same.
    private static void WriteJson(TextWriter stdout, ImageClassifier classifier, IEnumerable<(string File, Prediction Prediction)> results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("model", classifier.Model.Plan.Name);
            json.WriteString("weights", classifier.Model.Weights.Source);
            json.WriteString("device", classifier.Model.Device.Description);
            json.WriteStartArray("predictions");
            foreach (var (file, prediction) in results)
            {
                json.WriteStartObject();
                json.WriteString("image", file);
                json.WriteNumber("pred_label", prediction.PredLabel);
                json.WriteString("pred_class", prediction.PredClass);
                json.WriteNumber("pred_score", prediction.PredScore);
                json.WriteStartArray("topk");
                foreach (var c in prediction.TopK)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", c.Index);
                    json.WriteString("label", c.Label);
                    json.WriteNumber("score", c.Score);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        stdout.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
