using DenseNetGen.Checkpoints;
using DenseNetGen.Planning;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

public class CheckpointStrictnessTests
{
    private static IReadOnlyList<ParameterInfo> Manifest => ReferenceCheckpoints.Plan.Parameters;

    [Fact]
    public void MissingUnexpectedAndMismatchedKeysAreReportedTogether()
    {
        var plan = ReferenceCheckpoints.PlanWith(
        [
            .. Manifest.Where(p => p.Name != "features.norm5.bias")
                .Select(p => p.Name == "classifier.weight" ? p with { Shape = [12, 20] } : p),
            new ParameterInfo("features.extra.weight", [4]),
        ]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), plan));

        Assert.Equal("torchvision.pth", error.FileName);
        Assert.Contains("1 missing keys", error.Message);
        Assert.Contains("features.extra.weight [4]", error.Message);
        Assert.Contains("1 unexpected keys", error.Message);
        Assert.Contains("features.norm5.bias", error.Message);
        Assert.Contains("classifier.weight: checkpoint [11, 20] vs model [12, 20]", error.Message);
        // The same findings as data, for callers that act on them rather than print them.
        Assert.IsAssignableFrom<DenseNetException>(error);
        Assert.Equal(["features.extra.weight [4]"], error.MissingKeys);
        Assert.Equal(["features.norm5.bias"], error.UnexpectedKeys);
        Assert.Equal(["classifier.weight: checkpoint [11, 20] vs model [12, 20]"], error.MismatchedKeys);
    }

    [Fact]
    public void LongKeyListsAreCapped()
    {
        var plan = ReferenceCheckpoints.PlanWith([.. Manifest.Select(p => p with { Name = "other." + p.Name })]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), plan));

        // Twenty lines in all, shared between the two kinds of problem, so neither hides the other.
        Assert.Contains($"{Manifest.Count} missing keys", error.Message);
        Assert.Contains($"{Manifest.Count} unexpected keys", error.Message);
        Assert.Equal(2, error.Message.Split('\n').Count(l => l.Trim() == $"and {Manifest.Count - 10} more"));
        Assert.Contains("    other.features.conv0.weight", error.Message);
        Assert.Contains("    features.conv0.weight", error.Message);
    }

    [Fact]
    public void MmpretrainKeysReportedUnderTheirOwnNames()
    {
        var plan = ReferenceCheckpoints.PlanWith([.. Manifest.Where(p => !p.Name.StartsWith("classifier.", StringComparison.Ordinal))]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("mmpretrain_legacy.pth"), plan));

        Assert.Contains("mmpretrain", error.Message);
        Assert.Contains("head.fc.weight", error.Message);
        Assert.Contains("head.fc.bias", error.Message);
        Assert.DoesNotContain("missing", error.Message);
    }

    [Fact]
    public void NumBatchesTrackedIsIgnoredButOtherExtraTensorsAreNot()
    {
        var tensors = new Dictionary<string, Tensor>(CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("torchvision.pth")).Tensors)
        {
            ["features.norm0.num_batches_tracked"] = new("features.norm0.num_batches_tracked", [], [3f]),
        };
        Assert.Equal("torchvision", CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan).Convention);

        tensors["features.norm0.momentum"] = new("features.norm0.momentum", [1], [0.1f]);
        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));
        Assert.Contains("features.norm0.momentum", error.Message);
    }

    [Fact]
    public void TwoKeysForOneParameterAreRejected()
    {
        var tensors = new Dictionary<string, Tensor>(CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("torchvision.pth")).Tensors);
        var canonical = tensors["features.denseblock1.denselayer1.norm1.weight"];
        tensors["features.denseblock1.denselayer1.norm.1.weight"] = canonical;

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        Assert.Contains("features.denseblock1.denselayer1.norm.1.weight (duplicates features.denseblock1.denselayer1.norm1.weight)", error.Message);
    }

    [Theory]
    [InlineData("backbone.stages.\u0660.block.0.conv1.weight")] // Arabic-Indic zero as the stage index
    [InlineData("backbone.stages.0.block.\u0663.norm1.weight")] // and as the layer index
    [InlineData("backbone.transitions.\u0661.conv.weight")]
    [InlineData("backbone.transitions.\u0663.0.weight")]
    [InlineData("backbone.stages.99999999999.block.0.conv1.weight")]
    [InlineData("features.denseblock\u0661.denselayer\uff11.norm.1.weight")] // fullwidth digit one
    [InlineData("")]
    public void NoKeyCrashesTheBinder(string key)
    {
        var mmpretrain = CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("mmpretrain_legacy.pth")).Tensors;
        var tensors = new Dictionary<string, Tensor>(mmpretrain) { [key] = new(key, [1], [1f]) };

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        Assert.Contains("1 unexpected keys", error.Message);
    }
}
