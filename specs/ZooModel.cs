using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Zoo;

/// <summary>A model of the zoo: its generated plan, the names it answers to and where its weights come from.</summary>
public sealed class ZooModel
{
    private readonly Func<string, ComputeDevice, DenseNetModel> _loadFile;
    private readonly Func<Stream, string, ComputeDevice, DenseNetModel> _loadStream;

    internal ZooModel(
        NetworkPlan definition,
        IReadOnlyList<string> names,
        string? embeddedWeights,
        string? pretrainedFile,
        string summary,
        Func<string, ComputeDevice, DenseNetModel> loadFile,
        Func<Stream, string, ComputeDevice, DenseNetModel> loadStream)
    {
        Definition = definition;
        Names = names;
        EmbeddedWeights = embeddedWeights;
        PretrainedFile = pretrainedFile;
        Summary = summary;
        _loadFile = loadFile;
        _loadStream = loadStream;
    }

    /// <summary>The primary name (e.g. "densenet121").</summary>
    public string Name => Names[0];

    /// <summary>Every name the model answers to, the primary first (mmpretrain's model names included).</summary>
    public IReadOnlyList<string> Names { get; }

    public NetworkPlan Definition { get; }

    /// <summary>Resource name of weights shipped inside the zoo, or null when the user brings them.</summary>
    public string? EmbeddedWeights { get; }

    /// <summary>The reference checkpoint's file name (mmpretrain's release), for users who download it.</summary>
    public string? PretrainedFile { get; }

    public string Summary { get; }

    /// <summary>Loads weights from <paramref name="weights"/>, or the embedded ones when it is null.</summary>
    public DenseNetModel Load(string? weights, ComputeDevice device)
    {
        if (weights is not null) return _loadFile(weights, device);
        using var stream = OpenEmbeddedWeights();
        return _loadStream(stream, EmbeddedWeightsDisplayName, device);
    }

    /// <summary>How the embedded checkpoint is named in messages.</summary>
    public string EmbeddedWeightsDisplayName => $"embedded:{EmbeddedWeights}";

    /// <summary>The embedded checkpoint's bytes (a torch.save .pth file, read by the same binder as any user's file).</summary>
    /// <exception cref="InvalidOperationException">The model ships without weights.</exception>
    public Stream OpenEmbeddedWeights()
    {
        if (EmbeddedWeights is null)
            throw new InvalidOperationException(
                $"{Name} ships without weights: pass a checkpoint (e.g. mmpretrain's {PretrainedFile ?? "release"} or torchvision's).");
        return typeof(ZooModel).Assembly.GetManifestResourceStream(EmbeddedWeights)
            ?? throw new InvalidOperationException($"Embedded weights '{EmbeddedWeights}' are missing from {typeof(ZooModel).Assembly.GetName().Name}.");
    }
}
