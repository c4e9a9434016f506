using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// The corpus tools/make_checkpoint_corpus.py wrote with real torch, numpy and argparse: files training scripts
/// leave behind load and bind to the reference weights (CheckpointParityTests runs them against PyTorch's outputs),
/// and nothing in them runs.
/// </summary>
public sealed class CheckpointCorpusTests
{
    public static string PathOf(string file) => ReferenceCheckpoints.PathOf(Path.Combine("corpus", file));

    private static BoundCheckpoint Reference { get; } = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), ReferenceCheckpoints.Plan);

    [Theory]
    [InlineData("meta_one_element_list.pth", "torchvision", "state_dict", "meta", "")]
    [InlineData("meta_one_element_list_legacy.pth", "torchvision", "state_dict", "meta", "")]
    [InlineData("meta_numpy.pth", "torchvision", "state_dict", "meta", "numpy.dtype x4, numpy.core.multiarray.scalar x2, numpy.core.multiarray._reconstruct x2")]
    [InlineData("mmengine.pth", "mmpretrain", "state_dict", "meta, message_hub, optimizer, param_schedulers",
        "mmengine.logging.history_buffer.HistoryBuffer x3, numpy.core.multiarray._reconstruct x6, numpy.dtype x2, collections.Counter x1")]
    [InlineData("timm_train.pth", "torchvision", "state_dict", "epoch, arch, optimizer, version, args, state_dict_ema, metric", "argparse.Namespace x1")]
    [InlineData("torchvision_train.pth", "torchvision", "model", "optimizer, lr_scheduler, epoch, args, model_ema", "argparse.Namespace x1")]
    public void TrainingOutputBindsToTheWeights(string file, string convention, string entry, string others, string placeholders)
    {
        var bound = CheckpointBinder.Bind(PathOf(file), ReferenceCheckpoints.Plan);

        Assert.Equal(convention, bound.Convention);
        Assert.Equal(entry, bound.Entry);
        Assert.Equal(others, string.Join(", ", bound.OtherEntries));
        var met = string.Join(", ", bound.Placeholders.Select(p => $"{p.Key} x{p.Value}"));
        Assert.True(placeholders == met, met);
        foreach (var (name, tensor) in Reference.Tensors) Assert.Equal(tensor.Data, bound.Tensors[name].Data);
    }

    [Theory]
    [InlineData("timm_train.pth", "state_dict_ema")]
    [InlineData("torchvision_train.pth", "model_ema")]
    public void EmaWeightsAreTakenOnRequest(string file, string entry)
    {
        var bound = CheckpointBinder.Bind(PathOf(file), ReferenceCheckpoints.Plan, new CheckpointOptions { UseEma = true });

        Assert.Equal(entry, bound.Entry);
        // The corpus saved the EMA weights as the reference weights times 0.5, which is exact in float32.
        foreach (var (name, tensor) in Reference.Tensors) Assert.Equal(tensor.Data.Select(v => v * 0.5f), bound.Tensors[name].Data);
    }

    [Fact]
    public void AskingForEmaWeightsAFileWithoutThemFails()
    {
        var error = Assert.Throws<CheckpointException>(() =>
            CheckpointBinder.Bind(PathOf("meta_one_element_list.pth"), ReferenceCheckpoints.Plan, new CheckpointOptions { UseEma = true }));

        Assert.Contains("has no EMA weights", error.Message);
        Assert.Contains("state_dict, meta", error.Message);
    }

    [Fact]
    public void PayloadsInMetadataAreKeptAsPlaceholdersAndNeverRun()
    {
        File.Delete(ReferenceCheckpoints.PwnedMarker);

        var bound = CheckpointBinder.Bind(PathOf("payload_in_meta.pth"), ReferenceCheckpoints.Plan);

        Assert.False(File.Exists(ReferenceCheckpoints.PwnedMarker), "a pickled call ran");
        Assert.Equal(1, bound.Placeholders["posix.system"]);
        Assert.Equal(1, bound.Placeholders["__builtin__.eval"]);
        foreach (var (name, tensor) in Reference.Tensors) Assert.Equal(tensor.Data, bound.Tensors[name].Data);
    }

    [Fact]
    public void ATensorBuiltByAPlaceholderIsRefusedNamingTheGlobal()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(PathOf("numpy_weight.pth"), ReferenceCheckpoints.Plan));

        Assert.Contains("1 tensors built by placeholder globals", error.Message);
        Assert.Contains("features.norm0.bias: built by numpy.core.multiarray._reconstruct, which is never executed", error.Message);
        Assert.DoesNotContain("missing", error.Message);
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedByNameUnlessAllowed()
    {
        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(PathOf("hostile_nan_weight.pth"), ReferenceCheckpoints.Plan));

        Assert.Contains("1 tensors hold NaN or infinite values", error.Message);
        Assert.Contains("features.conv0.weight: 1 values", error.Message);
        var allowed = CheckpointBinder.Bind(PathOf("hostile_nan_weight.pth"), ReferenceCheckpoints.Plan, new CheckpointOptions { AllowNonFinite = true });
        Assert.True(float.IsNaN(allowed.Tensors["features.conv0.weight"].Data[(1 * 3 + 2) * 49 + 3 * 7 + 4]));
    }
}
