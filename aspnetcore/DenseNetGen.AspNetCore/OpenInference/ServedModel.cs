using DenseNetGen.Inference;
using DenseNetGen.Serving;

namespace DenseNetGen.AspNetCore.OpenInference;

/// <summary>
/// A model under a name on the server: its pool, and the preprocessing and class names of its image classifier.
/// The tensors it speaks (see <see cref="TensorNames"/>): input FP32 [-1, C, S, S] or image BYTES [-1]; outputs
/// logits and probabilities FP32 [-1, classes].
/// </summary>
public sealed class ServedModel : IAsyncDisposable
{
    /// <summary>Serves <paramref name="pool"/> as <paramref name="name"/>; the served model owns the pool.</summary>
    public ServedModel(string name, DenseNetPool pool)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(pool);
        Name = name;
        Pool = pool;
        Classifier = new ImageClassifier(pool);
    }

    /// <summary>The name in the URL (/v2/models/{name}).</summary>
    public string Name { get; }

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
