using static DenseNetGen.Cli.Tests.CliRunner;

namespace DenseNetGen.Cli.Tests;

public sealed class InfoAndCheckTests
{
    [Fact]
    public void InfoListsTheZooWithMmpretrainsParametersAndFlops()
    {
        var result = Run("info");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        foreach (var (model, parameters, flops) in new[]
                 { ("densenet121", "7.98M", "2.88G"), ("densenet169", "14.15M", "3.42G"), ("densenet201", "20.01M", "4.37G"), ("densenet161", "28.68M", "7.82G") })
        {
            var line = result.Out.Split('\n').Single(l => l.StartsWith(model + " ", StringComparison.Ordinal));
            Assert.Contains(parameters, line);
            Assert.Contains(flops, line);
        }
        Assert.Contains("fashion-mnist", result.Out);
    }

    [Fact]
    public void InfoModelShowsTheStructureAtTheInputSize()
    {
        var result = Run("info", "--model", "densenet121_3rdparty_in1k");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("7,978,856", result.Out);
        Assert.Matches(@"denseblock3\s+24\s+256 → 1024\s+14x14", result.Out);
        Assert.Matches(@"head\s+1024 → 1000\s+1x1", result.Out);
    }

    [Fact]
    public void InfoModelNamesTheLabelSetOfAZooModel()
    {
        var result = Run("info", "--model", "fashion-mnist");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("  labels      fashion-mnist (10 classes)", result.Out);
    }

    [Fact]
    public void InfoShowsAModelsOwnClassNamesNotNumbers()
    {
        var card = Zoo.DenseNets.Find("fashion-mnist").Card;
        string[] five = ["cat", "dog", "bird", "fish", "frog"];
        string[] six = [.. five, "newt"];

        Assert.Equal("own names \"cat\", \"dog\", \"bird\", \"fish\", \"frog\"", Commands.InfoCommand.LabelsNote(card with { Labels = null, ClassNames = five }));
        Assert.Equal("own names \"cat\", \"dog\", \"bird\", \"fish\", \"frog\", …", Commands.InfoCommand.LabelsNote(card with { Labels = null, ClassNames = six }));
        Assert.Equal("numbered", Commands.InfoCommand.LabelsNote(card with { Labels = null, ClassNames = null }));
    }

    [Fact]
    public void InfoDevicesListsTheCpuAccelerator()
    {
        var result = Run("info", "--devices");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("Cpu", result.Out);
        // Every ILGPU device says whether the GPU kernel set fits it: the CPU accelerator in its GPU-set layout does.
        Assert.Matches(@"(?m)^IlgpuCpu .*  GPU kernel set: fits$", result.Out);
    }

    [Fact]
    public void CheckAcceptsTheEmbeddedWeights()
    {
        var result = Run("check");

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Contains("torch-zip", result.Out);
        Assert.Contains("torchvision", result.Out);
        Assert.Contains("weights     top level", result.Out);
        Assert.DoesNotContain("also saw", result.Out);
        Assert.DoesNotContain("placeholders", result.Out);
    }

    [Fact]
    public void CheckRejectsACheckpointOfAnotherNetNamingTheKeys()
    {
        var result = Run("check", "--model", "fashion-mnist", "--weights", Reference("checkpoints", "torchvision.pth"));

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Contains("torchvision.pth: does not fit FashionMnistDenseNet", result.Error);
        Assert.Contains("features.norm0.weight", result.Out);
    }

    [Fact]
    public void CheckRefusesAPickleThatWouldRunCode()
    {
        var result = Run("check", "--model", "fashion-mnist", "--weights", Reference("checkpoints", "malicious_system.pth"));

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Contains("posix.system", result.Error);
    }

    [Fact]
    public void CheckSaysWhichEntryItUsedWhatElseItSawAndThePlaceholdersItMet()
    {
        var result = Run("check", "--model", "fashion-mnist", "--weights", Reference("checkpoints", Path.Combine("corpus", "fashion_timm_train.pth")));

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Matches(@"weights\s+state_dict\n", result.Out.Replace("\r", ""));
        Assert.Contains("also saw    epoch, arch, version, args, state_dict_ema, meta", result.Out);
        Assert.Contains("argparse.Namespace x1", result.Out);
        Assert.Contains("numpy.core.multiarray._reconstruct x1", result.Out);
        Assert.Contains("numpy.core.multiarray.scalar x1", result.Out);
        Assert.Contains("(never executed)", result.Out);
    }

    [Fact]
    public void CheckEmaTakesTheEmaWeights()
    {
        var result = Run("check", "--model", "fashion-mnist", "--ema", "--weights", Reference("checkpoints", Path.Combine("corpus", "fashion_timm_train.pth")));

        Assert.Equal(CliApp.Ok, result.ExitCode);
        Assert.Matches(@"weights\s+state_dict_ema\n", result.Out.Replace("\r", ""));
        Assert.Contains("also saw    epoch, arch, state_dict, version, args, meta", result.Out);
    }

    [Fact]
    public void CheckRefusesNonFiniteWeightsNamingThem()
    {
        var result = Run("check", "--model", "fashion-mnist", "--weights", Reference("checkpoints", Path.Combine("corpus", "fashion_nan_weight.pth")));

        Assert.Equal(CliApp.Failure, result.ExitCode);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Contains("1 tensors hold NaN or infinite values", result.Error);
        Assert.Contains("features.conv0.weight: 2 values", result.Out);
    }
}
