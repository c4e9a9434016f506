using System.Buffers.Binary;
using System.Text.Json;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Inference;
using DenseNetGen.Planning;
using DenseNetGen.Runtime.Tests.Data;
using DenseNetGen.Tests.Nets;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// A spec's own class names survive conversion to .safetensors: the header's "__metadata__" holds them under
/// "class_names" as a JSON array (read here with a plain JSON parser, as the format's specification lays the
/// header out), the binder reads them back, and a classifier whose spec names no classes takes them from the file.
/// </summary>
public sealed class SafetensorsClassNamesTests
{
    private static readonly string[] s_labelsFile = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "tests", "specs", "labelled", "classes.txt"));

    [Fact]
    public void A_spec_s_own_names_are_written_and_read_back()
    {
        using var temp = new TempDirectory();
        var file = Write(temp, LabelledCifarNet.Definition, LabelledCifarNet.Card);

        Assert.Equal(s_labelsFile, HeaderClassNames(file));
        Assert.Equal(s_labelsFile, CheckpointBinder.Bind(file, LabelledCifarNet.Definition).ClassNames);
    }

    [Fact]
    public void Names_with_commas_quotes_and_accents_survive()
    {
        string[] names = ["a, b", "say \"hi\"", "émeu", "back\\slash", "tab\there"];
        using var temp = new TempDirectory();
        var file = Write(temp, LabelledCifarNet.Definition, LabelledCifarNet.Card with { ClassNames = names });

        Assert.Equal(names, HeaderClassNames(file));
        Assert.Equal(names, CheckpointBinder.Bind(file, LabelledCifarNet.Definition).ClassNames);
    }

    [Fact]
    public void A_model_without_names_writes_none()
    {
        using var temp = new TempDirectory();
        var file = Write(temp, TinyCifarNet.Definition, TinyCifarNet.Card);

        Assert.False(Metadata(file).TryGetProperty("class_names", out _));
        Assert.Null(CheckpointBinder.Bind(file, TinyCifarNet.Definition).ClassNames);
    }

    [Fact]
    public void A_classifier_whose_spec_names_no_classes_takes_the_file_s_names()
    {
        string[] names = ["ant", "bee", "cow", "dog", "eel", "fox", "gnu"];
        using var temp = new TempDirectory();
        var file = Write(temp, TinyCifarNet.Definition, TinyCifarNet.Card with { ClassNames = names });

        using var classifier = new ImageClassifier(TinyCifarNet.Create(CheckpointBinder.Bind(file, TinyCifarNet.Definition), ComputeDevice.Default));

        Assert.Equal(names, classifier.Labels);
        Assert.Equal(names, classifier.ClassNames);
    }

    [Fact]
    public void The_spec_s_own_names_win_over_the_file_s()
    {
        using var temp = new TempDirectory();
        var file = Write(temp, LabelledCifarNet.Definition, LabelledCifarNet.Card with { ClassNames = ["v", "w", "x", "y", "z"] });

        using var classifier = new ImageClassifier(LabelledCifarNet.Create(CheckpointBinder.Bind(file, LabelledCifarNet.Definition), ComputeDevice.Default));

        Assert.Equal(s_labelsFile, classifier.Labels);
    }

    [Theory]
    [InlineData("[\"a\", \"b\"]", "__metadata__ class_names names 2 classes but the network has 5")]
    [InlineData("[\"a\", \"b\", \"a\", \"d\", \"e\"]", "__metadata__ class_names class 2 repeats the name 'a' of class 0")]
    [InlineData("{\"a\": 1}", "__metadata__ class_names is a JSON Object, not an array of class names")]
    [InlineData("[1, 2, 3, 4, 5]", "__metadata__ class_names holds a JSON Number, not a class name")]
    [InlineData("cat, dog", "__metadata__ class_names is not JSON")]
    public void Names_that_do_not_fit_are_refused_naming_the_entry(string value, string message)
    {
        var plan = LabelledCifarNet.Definition;
        var bound = CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan);
        using var stream = new MemoryStream();
        SafetensorsWriter.Write(stream, bound.Tensors.Values, new Dictionary<string, string> { ["format"] = "pt", ["class_names"] = value });
        stream.Position = 0;

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(stream, "named.safetensors", plan));

        Assert.Contains(message, error.Message);
    }

    private static string Write(TempDirectory temp, NetworkPlan plan, ModelCard card)
    {
        var file = Path.Combine(temp.Path, "converted.safetensors");
        SafetensorsWriter.Write(file, CheckpointBinder.Bind(DeterministicWeights.ForManifest(plan.Parameters), plan), plan, card);
        return file;
    }

    private static string[] HeaderClassNames(string file)
    {
        using var names = JsonDocument.Parse(Metadata(file).GetProperty("class_names").GetString()!);
        return [.. names.RootElement.EnumerateArray().Select(n => n.GetString()!)];
    }

    // The header as the specification lays it out: an 8-byte little-endian length, then that many bytes of JSON.
    private static JsonElement Metadata(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, length));
        return header.RootElement.GetProperty("__metadata__").Clone();
    }
}
