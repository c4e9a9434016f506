using System.CommandLine;
using System.Globalization;
using DenseNetGen.Data;
using DenseNetGen.Inference;
using DenseNetGen.Labels;
using DenseNetGen.Zoo;

namespace DenseNetGen.Cli.Commands;

/// <summary>`densenet test`: top-1 / top-5 over a data set, as mmpretrain's tools/test.py.</summary>
internal static class TestCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new ModelOptions();
        var data = new Option<DirectoryInfo>("--data")
        {
            Description = "Fashion-MNIST IDX folder, an ImageNet-style folder (class subfolders, or val/ with them), or a file list 'path label' per line",
            Required = true,
        };
        var list = new Option<FileInfo?>("--ann-file") { Description = "A file list 'relative/path label' per line, paths relative to --data" };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per forward pass", DefaultValueFactory = _ => 32 };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images" };
        var followLinks = new Option<bool>("--follow-links") { Description = "Walk into class folders and subfolders that are symbolic links (each folder once)" };
        var outsideRoot = new Option<bool>("--allow-outside-root") { Description = "Read images whose real path (links resolved) is outside --data" };
        var command = new Command("test", "Evaluate top-1/top-5 accuracy on a data set") { data, list, batch, limit, followLinks, outsideRoot };
        model.AddTo(command);
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(batch) < 1) throw new UsageException("--batch must be at least 1.");
            if (parsed.GetValue(limit) is < 1) throw new UsageException("--limit must be at least 1.");
            var zooModel = model.ResolveModel(parsed);
            var files = new DatasetFileOptions(FollowDirectoryLinks: parsed.GetValue(followLinks), AllowOutsideRoot: parsed.GetValue(outsideRoot));
            var dataset = ForModel(Open(parsed.GetValue(data)!, parsed.GetValue(list), files), zooModel, parsed.GetValue(data)!);
            using var classifier = model.LoadClassifier(zooModel, parsed);
            var result = classifier.Evaluate(dataset, parsed.GetValue(batch), parsed.GetValue(limit), ProgressBar.ForConsole(stderr, Math.Min(dataset.Count, parsed.GetValue(limit) ?? int.MaxValue)));
            Write(stdout, classifier, result);
            return CliApp.Ok;
        });
        return command;
    }

    private static ImageDataset Open(DirectoryInfo root, FileInfo? annotations, DatasetFileOptions files)
    {
        if (!root.Exists) throw new DirectoryNotFoundException($"Data folder not found: {root.FullName}");
        if (annotations is not null) return ImageFolderDataset.FromAnnotationFile(annotations.FullName, root.FullName, files);
        if (FashionMnistDataset.IsDataset(root.FullName)) return FashionMnistDataset.Open(root.FullName, FashionMnistSplit.Test);
        var val = Path.Combine(root.FullName, "val");
        return ImageFolderDataset.FromDirectory(Directory.Exists(val) ? val : root.FullName, files);
    }

    /// <summary>The data set labelled for the model's classes; one that does not fit is a usage error, checked before loading weights.</summary>
    private static ImageDataset ForModel(ImageDataset dataset, ZooModel zooModel, DirectoryInfo root)
    {
        var plan = zooModel.Definition;
        var names = zooModel.Card.Labels is null ? null : LabelSet.Get(zooModel.Card.Labels, plan.NumClasses);
        try
        {
            return dataset.ForClasses(plan.NumClasses, names);
        }
        catch (DatasetMismatchException e)
        {
            throw new UsageException($"{root.FullName} does not fit {zooModel.Name}: {e.Message}");
        }
    }

    private static void Write(TextWriter stdout, ImageClassifier classifier, EvaluationResult r)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine($"{classifier.Model.Plan.Name} on {r.Count} images ({classifier.Model.Weights.Source}, {classifier.Model.Device.Name})");
        stdout.WriteLine(string.Create(c, $"accuracy/top1: {r.Top1:0.00}  ({r.Top1Correct}/{r.Count})"));
        stdout.WriteLine(string.Create(c, $"accuracy/top5: {r.Top5:0.00}  ({r.Top5Correct}/{r.Count})"));
        stdout.WriteLine(string.Create(c, $"throughput:    {r.ImagesPerSecond:0.0} images/s ({r.Elapsed.TotalSeconds:0.0} s)"));
    }
}
