using DenseNetGen.Backends;
using System.CommandLine;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Inference;
using DenseNetGen.Preprocessing;
using DenseNetGen.Zoo;

namespace DenseNetGen.Cli;

/// <summary>--model, --weights, --device, --threads and --precision, shared by every command that loads a network.</summary>
internal sealed class ModelOptions
{
    public Option<string?> Model { get; } = new("--model", "-m")
    {
        Description = $"Model name, e.g. densenet121 or densenet121_3rdparty_in1k (default: the embedded {DenseNets.DefaultName} net)",
    };

    public Option<FileInfo?> Weights { get; } = new("--weights", "-w")
    {
        Description = "Checkpoint: PyTorch .pth (zip or legacy; mmpretrain, torchvision) or .safetensors (timm)",
    };

    public Option<bool> Ema { get; } = new("--ema")
    {
        Description = "Use the checkpoint's EMA weights (timm's state_dict_ema, torchvision's model_ema)",
    };

    public Option<string?> Device { get; } = new("--device", "-d")
    {
        Description = "auto | cpu | opencl | cuda | ilgpu-cpu (default: DENSENET_DEVICE, else auto)",
    };

    public Option<int?> Threads { get; } = new("--threads", "-t")
    {
        Description = "Threads of the SIMD CPU backend (default: DENSENET_THREADS, else one per physical core)",
    };

    public Option<string?> Precision { get; } = new("--precision")
    {
        Description = "fp32 | tf32 (default fp32; tf32 runs the convs on CUDA tensor cores, or emulates them on ilgpu-cpu as a slow check)",
    };

    public Option<string?> MaxImagePixels { get; } = new("--max-image-pixels")
    {
        Description = $"Refuse images declaring more pixels than this, from the header (default: {ImageDecoder.MaxPixelsVariable}, else {ImageDecoder.DefaultMaxPixels:N0})",
    };

    /// <summary>Adds the options of commands that load a network and decode images.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Model);
        command.Options.Add(Weights);
        command.Options.Add(Ema);
        command.Options.Add(Device);
        command.Options.Add(Threads);
        command.Options.Add(Precision);
        command.Options.Add(MaxImagePixels);
    }

    /// <summary>
    /// Sets the process-wide pixel cap from --max-image-pixels, else DENSENET_MAX_IMAGE_PIXELS, else the default;
    /// set on every run, so one in-process run never inherits another's.
    /// </summary>
    public void ApplyImageCap(ParseResult parsed)
    {
        var (text, origin) = parsed.GetValue(MaxImagePixels) is { } option
            ? (option, "--max-image-pixels")
            : (ImageDecoder.MaxPixelsSetting, ImageDecoder.MaxPixelsVariable);
        ImageDecoder.MaxPixels = text is null ? ImageDecoder.DefaultMaxPixels : AsUsage(() => ImageDecoder.ParseMaxPixels(text, origin));
        // DENSENET_DECODE_MEMORY is read here, so a bad value is a usage error before any image, not a batch's failure.
        _ = Opening(() => DecodeBudget.Shared);
    }

    /// <summary>The checkpoint options the command line asks for.</summary>
    public CheckpointOptions CheckpointOptions(ParseResult parsed) => new() { UseEma = parsed.GetValue(Ema) };

    public ZooModel ResolveModel(ParseResult parsed)
    {
        var zooModel = Find(parsed.GetValue(Model) ?? DenseNets.DefaultName);
        var weights = parsed.GetValue(Weights);
        if (weights is null && zooModel.EmbeddedWeights is null)
            throw new UsageException($"{zooModel.Name} ships without weights: pass --weights FILE (e.g. {zooModel.PretrainedFile}).");
        if (weights is not null && !weights.Exists)
            throw new FileNotFoundException($"Checkpoint not found: {weights.FullName}");
        return zooModel;
    }

    /// <summary>A zoo model by name; an unknown name is a usage error that lists the known ones.</summary>
    public static ZooModel Find(string name) => AsUsage(() => DenseNets.Find(name));

    /// <summary>
    /// The process's default device, or the one --device, --threads and --precision name (the kernel set from
    /// DENSENET_KERNELS). An invalid --device, DENSENET_DEVICE, --threads or --precision is a usage error, and so is
    /// an invalid DENSENET_KERNELS or DENSENET_CUDA_GRAPHS, which an ILGPU device reads as it opens.
    /// </summary>
    public ComputeDevice OpenDevice(ParseResult parsed)
    {
        var deviceText = parsed.GetValue(Device);
        var precisionText = parsed.GetValue(Precision);
        int? threads = parsed.GetValue(Threads);
        if (threads is < 1 or > 1024) throw new UsageException($"--threads must be between 1 and 1024, got {threads}.");
        var kind = AsUsage(() => deviceText is null ? DeviceKindParser.FromEnvironment() : DeviceKindParser.Parse(deviceText, "--device"));
        if (deviceText is null && precisionText is null && threads is null) return Opening(() => ComputeDevice.Default);
        var options = AsUsage(() => new ComputeOptions(
            Precision: precisionText is null ? Backends.Precision.Fp32 : ComputeOptions.ParsePrecision(precisionText, "--precision"),
            Threads: threads ?? 0));
        return Opening(() => ComputeDevice.Open(kind, options));
    }

    /// <summary>Runs a parser of user input; its ArgumentException becomes a usage error (exit 2).</summary>
    private static T AsUsage<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ArgumentException e)
        {
            // Without the " (Parameter 'name')" that ArgumentException.Message appends: the user typed no parameter.
            var suffix = $" (Parameter '{e.ParamName}')";
            throw new UsageException(e.ParamName is not null && e.Message.EndsWith(suffix, StringComparison.Ordinal) ? e.Message[..^suffix.Length] : e.Message);
        }
    }

    /// <summary>
    /// Opens a device: an invalid setting the backend reads as it opens is a usage error (exit 2); any other
    /// ArgumentException is a bug of the backend and keeps its type, so it is reported as one (exit 3).
    /// </summary>
    internal static T Opening<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (InvalidSettingException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The network on its device, with the image cap applied before any image is read.</summary>
    public ImageClassifier LoadClassifier(ZooModel zooModel, ParseResult parsed)
    {
        ApplyImageCap(parsed);
        return new ImageClassifier(zooModel.Load(parsed.GetValue(Weights)?.FullName, OpenDevice(parsed), CheckpointOptions(parsed)));
    }
}
