using DenseNetGen.Inference;
using DenseNetGen.Serving;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// A model under a name and version on the server: its pool, and the preprocessing and class names of its image
/// classifier. The tensors it speaks (see <see cref="TensorNames"/>): input FP32 [-1, C, S, S] or image BYTES [-1];
/// outputs logits and probabilities FP32 [-1, classes].
/// </summary>
public sealed class ServedModel : IAsyncDisposable
{
    /// <summary>The version a model is served under when none is given: "1", as Triton numbers a model's first.</summary>
    public const string DefaultVersion = "1";

    /// <summary>Serves <paramref name="pool"/> as version <see cref="DefaultVersion"/> of <paramref name="name"/>; the served model owns the pool.</summary>
    public ServedModel(string name, DenseNetPool pool)
        : this(name, DefaultVersion, pool)
    {
    }

    /// <summary>Serves <paramref name="pool"/> as <paramref name="version"/> of <paramref name="name"/>; the served model owns the pool.</summary>
    /// <exception cref="ArgumentException">The version is not <see cref="IsValidVersion">valid</see>.</exception>
    public ServedModel(string name, string version, DenseNetPool pool)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(pool);
        if (!IsValidVersion(version)) throw new ArgumentException($"Version '{version}' of {name}: {VersionRule}.", nameof(version));
        Name = name;
        Version = version;
        Pool = pool;
        Classifier = new ImageClassifier(pool);
    }

    /// <summary>What a version may be, for messages: one URL path segment, such as "1" or "2024-06-01".</summary>
    public const string VersionRule = "a version is 1 to 64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit";

    /// <summary>
    /// Whether <paramref name="version"/> can be served: it must be one URL path segment as it is, never escaped
    /// and never "." or ".." (which clients resolve away).
    /// </summary>
    public static bool IsValidVersion(string? version) =>
        version is { Length: >= 1 and <= 64 } && char.IsAsciiLetterOrDigit(version[0])
        && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    /// <summary>The name in the URL (/v2/models/{name}).</summary>
    public string Name { get; }

    /// <summary>The version in the URL (/v2/models/{name}/versions/{version}); the only one of this name served.</summary>
    public string Version { get; }

    /// <summary>The replicas and the batching queue that run the requests.</summary>
    public DenseNetPool Pool { get; }

    /// <summary>Preprocessing for BYTES inputs and the labels of the classification extension.</summary>
    public ImageClassifier Classifier { get; }

    /// <summary>Input channels.</summary>
    public int Channels => Pool.Plan.InChannels;

    /// <summary>The input's height and width: the preprocessing's crop.</summary>
    public int Size => Classifier.Preprocessor.CropSize;

    /// <summary>Classes the model scores (the outputs' second dimension).</summary>
    public int Classes => Pool.Plan.NumClasses;

    /// <summary>Drains the pool's queue and releases what it opened.</summary>
    public ValueTask DisposeAsync() => Pool.DisposeAsync();
}
