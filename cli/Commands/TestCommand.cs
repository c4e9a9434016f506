using System.CommandLine;
using System.Globalization;
using DenseNetGen.Cli.Sharding;
using DenseNetGen.Data;
using DenseNetGen.Inference;
using DenseNetGen.Labels;
using DenseNetGen.Zoo;

namespace DenseNetGen.Cli.Commands;

/// <summary>
/// `densenet test`: top-1 / top-5 over a data set, as mmpretrain's tools/test.py; or one shard of it (`--shard I/N
/// --out FILE.json`, for a Kubernetes Indexed Job or a Slurm array), or the merge of all shards (`--merge`).
/// </summary>
internal static class TestCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new ModelOptions();
        var data = new Option<DirectoryInfo?>("--data")
        {
            Description = "Fashion-MNIST IDX folder, an ImageNet-style folder (class subfolders, or val/ with them), or a file list 'path label' per line",
        };
        var list = new Option<FileInfo?>("--ann-file") { Description = "A file list 'relative/path label' per line, paths relative to --data" };
        var batch = new Option<int>("--batch", "-b") { Description = "Images per forward pass", DefaultValueFactory = _ => 32 };
        var limit = new Option<int?>("--limit") { Description = "Evaluate only the first N images" };
        var followLinks = new Option<bool>("--follow-links") { Description = "Walk into class folders and subfolders that are symbolic links (each folder once)" };
        var outsideRoot = new Option<bool>("--allow-outside-root") { Description = "Read images whose real path (links resolved) is outside --data" };
        var shard = new Option<string?>("--shard") { Description = "Evaluate only slice I of N (I from 0, e.g. 0/4): contiguous, fixed by the image count" };
        var output = new Option<FileInfo?>("--out", "-o") { Description = "Write the counts as JSON, for --merge" };
        var merge = new Option<FileInfo[]>("--merge")
        {
            Description = "Add up the --out files of every shard and print the full run's figures (no evaluation)",
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("test", "Evaluate top-1/top-5 accuracy on a data set") { data, list, batch, limit, shard, output, merge, followLinks, outsideRoot };
        model.AddTo(command);
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(merge) is { Length: > 0 } files)
            {
                if (parsed.GetValue(data) is not null || parsed.GetValue(shard) is not null || parsed.GetValue(output) is not null)
                    throw new UsageException("--merge adds up shard files: it takes no --data, --shard or --out.");
                return Merge(stdout, files);
            }
            var root = parsed.GetValue(data) ?? throw new UsageException("test needs --data (or --merge FILE...).");
            if (parsed.GetValue(batch) < 1) throw new UsageException("--batch must be at least 1.");
            if (parsed.GetValue(limit) is < 1) throw new UsageException("--limit must be at least 1.");
            var slice = parsed.GetValue(shard) is { } text ? Shard.Parse(text) : Shard.Whole;
            var zooModel = model.ResolveModel(parsed);
            var fileOptions = new DatasetFileOptions(FollowDirectoryLinks: parsed.GetValue(followLinks), AllowOutsideRoot: parsed.GetValue(outsideRoot));
            var dataset = ForModel(Open(root, parsed.GetValue(list), fileOptions), zooModel, root);
            if (parsed.GetValue(limit) is int first && first < dataset.Count) dataset = new DatasetSlice(dataset, 0, first);
            var (start, length) = slice.Range(dataset.Count);
            var part = slice == Shard.Whole ? dataset : new DatasetSlice(dataset, start, length);
            using var classifier = model.LoadClassifier(zooModel, parsed);
            var result = classifier.Evaluate(part, parsed.GetValue(batch), progress: ProgressBar.ForConsole(stderr, part.Count));
            Write(stdout, $"{classifier.Model.Plan.Name} on {result.Count} images{(slice == Shard.Whole ? "" : $" (shard {slice} of {dataset.Count})")} " +
                $"({classifier.Model.Weights.Source}, {classifier.Model.Device.Name})", result);
            if (parsed.GetValue(output) is { } file)
            {
                new ShardFile(ShardFile.FormatName, classifier.Model.Plan.Name, classifier.Model.Weights.Source, Fingerprint.Of(classifier.Model.Weights),
                    root.FullName, Fingerprint.Of(dataset), dataset.Count, slice.Index, slice.Count, start, length,
                    result.Top1Correct, result.Top5Correct, result.Elapsed.TotalSeconds).Write(file.FullName);
            }
            return CliApp.Ok;
        });
        return command;
    }

    private static int Merge(TextWriter stdout, FileInfo[] files)
    {
        var shards = files.Select(f => (f.ToString(), ShardFile.Read(f.FullName))).ToArray();
        var (result, first) = ShardMerge.Merge(shards);
        Write(stdout, $"{first.Model} on {result.Count} images ({first.Shards} shard{(first.Shards == 1 ? "" : "s")}; {first.Weights})", result);
        return CliApp.Ok;
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

    /// <summary>The header line, then the accuracy and throughput lines (a merge's throughput is per second of shard time).</summary>
    private static void Write(TextWriter stdout, string header, EvaluationResult r)
    {
        var c = CultureInfo.InvariantCulture;
        stdout.WriteLine(header);
        stdout.WriteLine(string.Create(c, $"accuracy/top1: {r.Top1:0.00}  ({r.Top1Correct}/{r.Count})"));
        stdout.WriteLine(string.Create(c, $"accuracy/top5: {r.Top5:0.00}  ({r.Top5Correct}/{r.Count})"));
        stdout.WriteLine(string.Create(c, $"throughput:    {r.ImagesPerSecond:0.0} images/s ({r.Elapsed.TotalSeconds:0.0} s)"));
    }
}
