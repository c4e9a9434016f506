using System.Buffers;
using System.Diagnostics;
using DenseNetGen.Data;
using DenseNetGen.Labels;
using DenseNetGen.Preprocessing;
using DenseNetGen.Serving;

namespace DenseNetGen.Inference;

/// <summary>
/// A network with its preprocessing and class names: images in, typed top-k predictions out, as
/// mmpretrain's inference_model. Thread-safe to the same degree as <see cref="DenseNetModel"/>
/// (calls are serialized); disposing it disposes the model (or the pool it was made over).
/// </summary>
public sealed class ImageClassifier : IDisposable
{
    private readonly DenseNetPool? _pool;

    /// <summary>
    /// A classifier whose async predictions run through <paramref name="pool"/>, batched with every other caller's;
    /// the synchronous ones run on its first replica.
    /// </summary>
    public ImageClassifier(DenseNetPool pool)
        : this((pool ?? throw new ArgumentNullException(nameof(pool))).Replicas[0])
    {
        _pool = pool;
    }

    /// <summary>
    /// Wraps <paramref name="model"/>, taking ownership (the classifier disposes it), naming classes as its spec
    /// does (its own names, a built-in set), else with the names its weights file carries, else with numbers.
    /// </summary>
    /// <exception cref="ArgumentException">The model's card names a label set that is unknown or of another size.</exception>
    public ImageClassifier(DenseNetModel model)
        : this(model, null)
    {
    }

    /// <summary>
    /// Wraps <paramref name="model"/>, taking ownership, and names classes with <paramref name="labels"/>, e.g. a
    /// fine-tuned model's own classes.
    /// </summary>
    /// <param name="model">The network, owned by the classifier from now on.</param>
    /// <param name="labels">One name per class in logit order; null names them as the model's spec or weights file does.</param>
    /// <exception cref="ArgumentException">The count differs from the model's classes, or a name is blank or repeated.</exception>
    public ImageClassifier(DenseNetModel model, IReadOnlyList<string>? labels)
    {
        ArgumentNullException.ThrowIfNull(model);
        var card = model.ModelCard;
        int classes = model.Plan.NumClasses;
        // The spec's choice (its own names or a built-in set) wins over the weights file's; the file's names
        // (a converted .safetensors) name the classes of a spec that names none.
        var named = labels ?? card.ClassNames ?? (card.Labels is null ? model.Weights.ClassNames : null);
        Labels = labels is not null ? LabelSet.Custom(labels, classes, nameof(labels))
            : named is not null ? LabelSet.Custom(named, classes, nameof(model))
            : LabelSet.Get(card.Labels, classes);
        ClassNames = named is null && card.Labels is null ? null : Labels;
        Model = model;
        Preprocessor = new ImagePreprocessor(card.Preprocess);
    }

    /// <summary>The network, owned by this classifier.</summary>
    public DenseNetModel Model { get; }

    /// <summary>The model card's preprocessing (resize, crop, mean/std), which turns images into the model's input.</summary>
    public ImagePreprocessor Preprocessor { get; }

    /// <summary>Class names, index order ("class 0", "class 1", … when neither the caller nor the model's spec names them).</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The class names when the caller or the model's spec gives them, else null (numbered classes).</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The top-k classes of an image file (JPEG, PNG, BMP, WebP).</summary>
    public Prediction Predict(string imagePath, int topK = 5) => Predict(Preprocessor.Load(imagePath), topK)[0];

    /// <summary>The top-k classes of an encoded image in a stream.</summary>
    public Prediction Predict(Stream image, int topK = 5, string sourceName = "stream") =>
        Predict(Preprocessor.Load(image, sourceName), topK)[0];

    /// <summary>The top-k classes of each image file, run as one batch.</summary>
    public IReadOnlyList<Prediction> Predict(IReadOnlyList<string> imagePaths, int topK = 5) =>
        Predict(Preprocessor.Load(imagePaths), topK);

    /// <summary>The top-k classes of each image of a preprocessed batch [N, C, H, W].</summary>
    public IReadOnlyList<Prediction> Predict(Tensor batch, int topK = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        var (n, h, w) = Dimensions(batch);
        return Rank(Model.Forward(batch.Data, n, h, w), topK);
    }

    /// <summary>
    /// The top-k classes of an encoded image read from <paramref name="image"/> asynchronously (an ASP.NET Core
    /// request body, which refuses synchronous reads), decoded and run without blocking a thread while it waits.
    /// </summary>
    /// <exception cref="ImageDecodeException">The bytes are not an image, or the stream fails.</exception>
    public async Task<Prediction> PredictAsync(Stream image, int topK = 5, string sourceName = "stream", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var encoded = await EncodedImage.ReadAsync(image, sourceName, cancellationToken).ConfigureAwait(false);
        return await PredictAsync(encoded.Bytes, topK, sourceName, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The top-k classes of an encoded image held in an array.</summary>
    public Task<Prediction> PredictAsync(byte[] image, int topK = 5, string sourceName = "buffer", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PredictAsync(image.AsMemory(), topK, sourceName, cancellationToken);
    }

    /// <summary>
    /// The top-k classes of an encoded image held in memory: decoded and preprocessed into a pooled buffer, then run
    /// through the pool (batched with other callers) or the model. <paramref name="cancellationToken"/> cancels
    /// the wait for the device.
    /// </summary>
    public async Task<Prediction> PredictAsync(ReadOnlyMemory<byte> image, int topK = 5, string sourceName = "buffer", CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        int length = Preprocessor.ImageLength, size = Preprocessor.CropSize;
        var input = ArrayPool<float>.Shared.Rent(length);
        try
        {
            Preprocessor.Process(image.Span, input.AsSpan(0, length), sourceName);
            var pixels = input.AsMemory(0, length);
            var logits = _pool is null
                ? await Model.ForwardAsync(pixels, 1, size, size, cancellationToken).ConfigureAwait(false)
                : await _pool.ForwardAsync(pixels, 1, size, size, cancellationToken).ConfigureAwait(false);
            return Rank(logits, topK)[0];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(input);
        }
    }

    /// <summary>Softmax and the top-k named classes of each row of logits.</summary>
    private Prediction[] Rank(float[] logits, int topK)
    {
        int classes = Model.Plan.NumClasses;
        var predictions = new Prediction[logits.Length / classes];
        for (int i = 0; i < predictions.Length; i++)
        {
            var probabilities = Scores.Softmax(logits.AsSpan(i * classes, classes));
            predictions[i] = new Prediction(
                [.. Scores.TopK(probabilities, topK).Select(c => new ClassScore(c, Labels[c], probabilities[c]))]);
        }
        return predictions;
    }

    /// <summary>Pooled pre-logit features of an image file (mmpretrain's extract_feat).</summary>
    public float[] ExtractFeatures(string imagePath) => ExtractFeatures(Preprocessor.Load(imagePath));

    /// <summary>Pooled pre-logit features [N × FeatureChannels] of a preprocessed batch.</summary>
    public float[] ExtractFeatures(Tensor batch)
    {
        var (n, h, w) = Dimensions(batch);
        return Model.ExtractFeatures(batch.Data, n, h, w);
    }

    /// <summary>
    /// Top-1 / top-5 accuracy over the first <paramref name="limit"/> images (all when null), as mmpretrain's
    /// tools/test.py. <paramref name="progress"/> receives the number of images done after each batch. Images are
    /// decoded in parallel, one batch ahead of the device.
    /// </summary>
    /// <exception cref="DatasetMismatchException">The data set's classes are not the model's (<see cref="ImageDataset.ForClasses"/>).</exception>
    public EvaluationResult Evaluate(ImageDataset dataset, int batchSize = 32, int? limit = null, IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        dataset = dataset.ForClasses(Model.Plan.NumClasses, ClassNames);
        int count = Math.Min(dataset.Count, limit ?? int.MaxValue);
        // A batch larger than the images evaluated is that many images (--batch 1000000000 means "all at once").
        batchSize = Math.Min(batchSize, Math.Max(count, 1));
        int classes = Model.Plan.NumClasses;
        int top1 = 0, top5 = 0;
        var clock = Stopwatch.StartNew();
        // The next batch is decoded while the device runs this one.
        Task<Tensor> Prefetch(int start) => Task.Run(() => dataset.LoadBatch(Preprocessor, start, Math.Min(batchSize, count - start)));
        var next = count > 0 ? Prefetch(0) : null;
        for (int start = 0; start < count; start += batchSize)
        {
            int size = Math.Min(batchSize, count - start);
            var batch = next!.GetAwaiter().GetResult();
            next = start + size < count ? Prefetch(start + size) : null;
            var (n, h, w) = Dimensions(batch);
            var logits = Model.Forward(batch.Data, n, h, w);
            for (int i = 0; i < size; i++)
            {
                int label = dataset.Labels[start + i];
                var best = Scores.TopK(logits.AsSpan(i * classes, classes), 5);
                if (best[0] == label) top1++;
                if (Array.IndexOf(best, label) >= 0) top5++;
            }
            progress?.Report(start + size);
        }
        return new EvaluationResult(count, top1, top5, clock.Elapsed);
    }

    private (int N, int H, int W) Dimensions(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Shape.Count != 4 || batch.Shape[1] != Model.Plan.InChannels)
            throw new ArgumentException(
                $"{Model.Plan.Name} takes [N, {Model.Plan.InChannels}, H, W] input; got [{string.Join(", ", batch.Shape)}].", nameof(batch));
        return (batch.Shape[0], batch.Shape[2], batch.Shape[3]);
    }

    /// <summary>Disposes the model (not its device), or the pool the classifier was made over.</summary>
    public void Dispose()
    {
        if (_pool is null) Model.Dispose();
        else _pool.Dispose();
    }
}
