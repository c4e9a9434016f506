using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Inference;
using DenseNetGen.Tests;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Inference;

/// <summary>
/// Class names of the model's own: LabelledCifarNet's spec names tests/specs/labelled/classes.txt, which the
/// generator read at compile time, and ImageClassifier takes names from its caller too.
/// </summary>
public sealed class CustomLabelTests
{
    private static readonly string LabelsFile = Path.Combine(RepositoryPaths.Root, "tests", "specs", "labelled", "classes.txt");

    [Fact]
    public void The_generated_card_carries_the_labels_file_in_class_order()
    {
        Assert.Equal(File.ReadAllLines(LabelsFile), LabelledCifarNet.Card.ClassNames);
        Assert.Null(LabelledCifarNet.Card.Labels);
    }

    [Fact]
    public void Predictions_name_the_spec_s_own_classes_in_logit_order()
    {
        using var classifier = new ImageClassifier(Deterministic(LabelledCifarNet.Definition, LabelledCifarNet.Create));
        var image = Path.Combine(RepositoryPaths.FashionMnist, "bag.png");

        var prediction = classifier.Predict(image, topK: LabelledCifarNet.NumClasses);

        var logits = classifier.Model.Forward(classifier.Preprocessor.Load(image).Data, 1, 16, 16);
        var expected = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).Select(i => File.ReadAllLines(LabelsFile)[i]);
        Assert.Equal(expected, prediction.TopK.Select(c => c.Label));
        Assert.Equal(File.ReadAllLines(LabelsFile), classifier.ClassNames);
    }

    [Fact]
    public void The_caller_s_names_win_over_the_spec_s()
    {
        string[] names = ["a", "b", "c", "d", "e", "f", "g"];
        using var classifier = new ImageClassifier(Deterministic(TinyCifarNet.Definition, TinyCifarNet.Create), names);

        var prediction = classifier.Predict(Path.Combine(RepositoryPaths.FashionMnist, "bag.png"), topK: 3);

        Assert.Equal(names, classifier.Labels);
        Assert.Equal(names, classifier.ClassNames);
        Assert.All(prediction.TopK, c => Assert.Equal(names[c.Index], c.Label));
    }

    [Theory]
    [InlineData(new[] { "a", "b" }, "2 class names were given but the network has 7 classes.")]
    [InlineData(new[] { "a", "b", "c", " ", "e", "f", "g" }, "Class names: class 3 has a blank name.")]
    [InlineData(new[] { "a", "b", "c", "d", "e", "f", "b" }, "Class names: class 6 repeats the name 'b' of class 1.")]
    public void Wrong_names_from_the_caller_are_refused(string[] names, string message)
    {
        using var model = Deterministic(TinyCifarNet.Definition, TinyCifarNet.Create);

        var error = Assert.Throws<ArgumentException>(() => new ImageClassifier(model, names));

        Assert.StartsWith(message, error.Message);
        Assert.Equal("labels", error.ParamName);
    }

    private static T Deterministic<T>(Planning.NetworkPlan plan, Func<BoundCheckpoint, ComputeDevice, T> create) =>
        create(CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan), ComputeDevice.Default);
}
