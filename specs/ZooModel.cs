using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Planning;

namespace DenseNetGen.Zoo;

/// <summary>A model of the zoo: its generated plan and card, the names it answers to and where its weights come from.</summary>
public sealed class ZooModel
{
    private readonly Func<BoundCheckpoint, ComputeDevice, DenseNetModel> _create;

    internal ZooModel(
        NetworkPlan definition,
        ModelCard card,
        IReadOnlyList<string> names,
        string? embeddedWeights,
        string? pretrainedFile,
        string summary,
        Func<BoundCheckpoint, ComputeDevice, DenseNetModel> create)
    {
        Definition = definition;
        Card = card;
        Names = names;
        EmbeddedWeights = embeddedWeights;
        PretrainedFile = pretrainedFile;
        Summary = summary;
        _create = create;
    }

    /// <summary>The primary name (e.g. "densenet121").</summary>
    public string Name => Names[0];

    /// <summary>Every name the model answers to, the primary first (mmpretrain's model names included).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The generated class's plan (its static <c>Definition</c>): what the weights are bound against.</summary>
    public NetworkPlan Definition { get; }

    /// <summary>The generated class's model card: preprocessing, labels, parameter and FLOP counts, stages.</summary>
    public ModelCard Card { get; }

    /// <summary>Resource name of weights shipped inside the zoo, or null when the user brings them.</summary>
    public string? EmbeddedWeights { get; }

    /// <summary>The reference checkpoint's file name (mmpretrain's release), for users who download it.</summary>
    public string? PretrainedFile { get; }

    /// <summary>One line for listings such as <c>densenet info</c>, e.g. which data set and accuracy the weights have.</summary>
    public string Summary { get; }

    /// <summary>Loads weights from <paramref name="weights"/>, or the embedded ones when it is null.</summary>
    /// <param name="weights">A checkpoint file (.pth, .safetensors), or null for the embedded weights.</param>
    /// <param name="device">Where the model runs; the caller keeps ownership and disposes it after the model.</param>
    /// <param name="options">EMA weights, non-finite values (see <see cref="CheckpointOptions"/>); the defaults when null.</param>
    /// <returns>The generated network class, owned by the caller.</returns>
    /// <exception cref="CheckpointException">The file cannot be read or does not fit the model.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="weights"/> is null and the model ships without weights.</exception>
    public DenseNetModel Load(string? weights, ComputeDevice device, CheckpointOptions? options = null)
    {
        return Create(BindWeights(weights, options), device);
    }

    /// <summary>Reads and checks <paramref name="weights"/> (or the embedded ones when null) against the model.</summary>
    public BoundCheckpoint BindWeights(string? weights, CheckpointOptions? options = null)
    {
        if (weights is not null) return CheckpointBinder.Bind(weights, Definition, options);
        using var stream = OpenEmbeddedWeights();
        return CheckpointBinder.Bind(stream, EmbeddedWeightsDisplayName, Definition, options);
    }

    /// <summary>The generated network with weights already bound against <see cref="Definition"/>.</summary>
    public DenseNetModel Create(BoundCheckpoint weights, ComputeDevice device) => _create(weights, device);

    /// <summary>How the embedded checkpoint is named in messages.</summary>
    private string EmbeddedWeightsDisplayName => $"embedded:{EmbeddedWeights}";

    /// <summary>The embedded checkpoint's bytes (a torch.save .pth file, read by the same binder as any user's file).</summary>
    /// <exception cref="InvalidOperationException">The model ships without weights.</exception>
    private Stream OpenEmbeddedWeights()
    {
        if (EmbeddedWeights is null)
            throw new InvalidOperationException(
                $"{Name} ships without weights: pass a checkpoint (e.g. mmpretrain's {PretrainedFile ?? "release"} or torchvision's).");
        return typeof(ZooModel).Assembly.GetManifestResourceStream(EmbeddedWeights)
            ?? throw new InvalidOperationException($"Embedded weights '{EmbeddedWeights}' are missing from {typeof(ZooModel).Assembly.GetName().Name}.");
    }
}
