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
    private static Dictionary<string, Tensor> ReferenceTensors() =>
        new(CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("torchvision.pth")).Tensors);

    [Fact]
    public void DataParallelsPrefixIsStrippedOnlyWhenEveryKeyHasIt()
    {
        // nn.DataParallel prefixes every key with "module."; a file where only one key has it is not such a file, so
        // that key is unexpected and the parameter it would have named is missing.
        var tensors = ReferenceTensors();
        tensors["module.features.conv0.weight"] = tensors["features.conv0.weight"];
        tensors.Remove("features.conv0.weight");

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        Assert.Equal(["module.features.conv0.weight"], error.UnexpectedKeys);
        Assert.Equal(["features.conv0.weight"], error.MissingKeys.Select(k => k.Split(' ')[0]));
        Assert.Empty(error.MismatchedKeys);
    }

    [Theory]
    [InlineData("")]
    [InlineData("features.norm0.num_batches_tracked n_averaged")]
    public void AFileWithNoTensorsButBookkeepingHoldsNoTensors(string keys)
    {
        var tensors = keys.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToDictionary(k => k, k => new Tensor(k, [], [1f]));

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        Assert.EndsWith("holds no tensors", error.Message);
    }

    [Fact]
    public void AFloodOfMissingKeysIsListedTwentyLinesDeep()
    {
        // One kind of problem alone gets all twenty lines: 25 parameters the file lacks, 20 listed and "and 5 more".
        var extra = Enumerable.Range(0, 25).Select(i => new ParameterInfo($"features.extra{i}.weight", [i + 1])).ToList();
        var plan = ReferenceCheckpoints.PlanWith([.. Manifest, .. extra]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("torchvision.pth"), plan));

        Assert.Contains("25 missing keys", error.Message);
        Assert.DoesNotContain("unexpected", error.Message);
        var listed = error.Message.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("    features.extra", StringComparison.Ordinal)).ToList();
        Assert.Equal(extra.Take(20).Select(p => $"    {p.Name} [{p.Shape[0]}]"), listed);
        Assert.Contains("    and 5 more", error.Message.Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Equal(25, error.MissingKeys.Count);
    }

    [Fact]
    public void NonFiniteValuesAreCountedPerTensorAndTheirListIsCapped()
    {
        // 22 parameters each get a NaN and an infinity; CheckpointOptions.AllowNonFinite takes them as they are.
        var tensors = ReferenceTensors();
        var poisoned = Manifest.Take(22).Select(p => p.Name).ToList();
        foreach (var name in poisoned)
        {
            var data = (float[])tensors[name].Data.Clone();
            data[0] = float.NaN;
            data[^1] = float.NegativeInfinity;
            tensors[name] = new Tensor(name, [.. tensors[name].Shape], data);
        }

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        var lines = error.Message.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Contains("22 tensors hold NaN or infinite values", lines[0]);
        Assert.Equal(poisoned.Take(20).Select(n => $"    {n}: 2 values"), lines.Skip(1).Take(20));
        Assert.Equal("    and 2 more", lines[21]);
        Assert.Equal(22, lines.Count);

        var allowed = CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan, new CheckpointOptions { AllowNonFinite = true });
        Assert.True(float.IsNaN(allowed.Tensors[poisoned[0]].Data[0]));
        Assert.Equal(float.NegativeInfinity, allowed.Tensors[poisoned[21]].Data[^1]);
    }

    [Fact]
    public void TensorsReadUnderAnotherConventionCarryTheirCanonicalNames()
    {
        var bound = CheckpointBinder.Bind(ReferenceCheckpoints.PathOf("mmpretrain_legacy.pth"), ReferenceCheckpoints.Plan);

        Assert.Equal("mmpretrain", bound.Convention);
        Assert.Equal(Manifest.Select(p => p.Name), bound.Tensors.Keys);
        Assert.All(bound.Tensors, t => Assert.Equal(t.Key, t.Value.Name));
    }

    // The listing rule (CheckpointBinder.Describe), after the source's name: a header "does not fit NET (keys read as CONVENTION naming): " with
    // "N title" per kind of problem, comma-separated; then per kind "  N title:" and its first max(1, 20 / kinds) items,
    // four spaces in; "    and M more" only when items are left out.
    private static string Listing(string convention, params (string Title, IReadOnlyList<string> Items)[] sections)
    {
        var share = Math.Max(1, 20 / sections.Length);
        var lines = new List<string>
        {
            $"in-memory tensors: does not fit {ReferenceCheckpoints.Plan.Name} (keys read as {convention} naming): "
                + string.Join(", ", sections.Select(s => $"{s.Items.Count} {s.Title}")),
        };
        foreach (var (title, items) in sections)
        {
            lines.Add($"  {items.Count} {title}:");
            lines.AddRange(items.Take(share).Select(i => "    " + i));
            if (items.Count > share) lines.Add($"    and {items.Count - share} more");
        }
        return string.Join(Environment.NewLine, lines);
    }

    [Fact]
    public void ProblemsBelowTheCapAreListedInFullWithNoMoreLine()
    {
        // One of each kind: three sections of one line each, far below their share of six.
        var plan = ReferenceCheckpoints.PlanWith(
        [
            .. Manifest.Where(p => p.Name != "features.norm5.bias")
                .Select(p => p.Name == "classifier.weight" ? p with { Shape = [12, 20] } : p),
            new ParameterInfo("features.extra.weight", [4]),
        ]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(ReferenceTensors(), plan));

        Assert.Equal(
            Listing("torchvision", ("missing keys", ["features.extra.weight [4]"]), ("unexpected keys", ["features.norm5.bias"]),
                ("shape mismatches", ["classifier.weight: checkpoint [11, 20] vs model [12, 20]"])),
            error.Message);
        Assert.Equal("in-memory tensors", error.FileName);
        Assert.DoesNotContain("more", error.Message);
    }

    [Theory]
    [InlineData(20, 0)] // one kind alone: exactly its share of twenty
    [InlineData(10, 10)] // two kinds: exactly their share of ten each
    [InlineData(3, 0)]
    [InlineData(0, 19)]
    public void ListsOfExactlyTheirShareOrLessAreNotCut(int missing, int unexpected)
    {
        // Parameters the file lacks are added to the manifest; keys the model lacks are added to the file.
        var plan = ReferenceCheckpoints.PlanWith([.. Manifest, .. Enumerable.Range(0, missing).Select(i => new ParameterInfo($"features.extra{i}.weight", [i + 1]))]);
        var tensors = ReferenceTensors();
        for (var i = 0; i < unexpected; i++) tensors[$"features.stray{i}.weight"] = new($"features.stray{i}.weight", [1], [1f]);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, plan));

        var sections = new List<(string, IReadOnlyList<string>)>();
        if (missing > 0) sections.Add(("missing keys", [.. Enumerable.Range(0, missing).Select(i => $"features.extra{i}.weight [{i + 1}]")]));
        if (unexpected > 0) sections.Add(("unexpected keys", [.. Enumerable.Range(0, unexpected).Select(i => $"features.stray{i}.weight")]));
        Assert.Equal(Listing("torchvision", [.. sections]), error.Message);
        Assert.DoesNotContain(error.Message.Split('\n'), l => l.Trim().StartsWith("and ", StringComparison.Ordinal));
        Assert.Equal(missing + unexpected + 1 + sections.Count, error.Message.Split('\n').Length);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(20)] // exactly the cap: all listed, no "and 0 more"
    [InlineData(21)]
    public void NonFiniteTensorsUpToTheCapAreAllListed(int count)
    {
        var tensors = ReferenceTensors();
        var poisoned = Manifest.Take(count).Select(p => p.Name).ToList();
        foreach (var name in poisoned)
        {
            var data = (float[])tensors[name].Data.Clone();
            data[^1] = float.PositiveInfinity;
            tensors[name] = new Tensor(name, [.. tensors[name].Shape], data);
        }

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        // First line: the count and the way out; then one line per tensor, at most twenty, then "and N more" for the rest.
        string[] expected =
        [
            $"in-memory tensors: {count} tensors hold NaN or infinite values (every output would be NaN; CheckpointOptions.AllowNonFinite accepts them)",
            .. poisoned.Take(20).Select(n => $"    {n}: 1 values"),
            .. count > 20 ? [$"    and {count - 20} more"] : Array.Empty<string>(),
        ];
        Assert.Equal(string.Join(Environment.NewLine, expected), error.Message);
    }

    [Fact]
    public void InMemoryTensorsAreNamedAsSuch()
    {
        var bound = CheckpointBinder.Bind(ReferenceTensors(), ReferenceCheckpoints.Plan);

        Assert.Equal("in-memory tensors", bound.Source);
        Assert.Equal("tensors", bound.Format);
    }

    [Fact]
    public void WithoutStageKeysNoTransitionIsReadAsTheFinalNorm()
    {
        // mmpretrain's last transition is norm5 (backbone.transitions.LAST.0); LAST is the highest stage index among the
        // keys. A file with no stage keys has no last stage: its transitions 0 and 1 still bind, transitions.2.0 is
        // unexpected (its num_batches_tracked ignored as ever), and the dense layers and norm5 are missing.
        var tensors = new Dictionary<string, Tensor>(CheckpointReader.ReadAll(ReferenceCheckpoints.PathOf("mmpretrain_legacy.pth")).Tensors);
        foreach (var key in tensors.Keys.Where(k => k.StartsWith("backbone.stages.", StringComparison.Ordinal)).ToList()) tensors.Remove(key);

        var error = Assert.Throws<CheckpointException>(() => CheckpointBinder.Bind(tensors, ReferenceCheckpoints.Plan));

        Assert.Contains("(keys read as mmpretrain naming)", error.Message);
        Assert.Equal(
            tensors.Keys.Where(k => k.StartsWith("backbone.transitions.2.0.", StringComparison.Ordinal) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).Order(StringComparer.Ordinal),
            error.UnexpectedKeys.Order(StringComparer.Ordinal));
        Assert.NotEmpty(error.UnexpectedKeys);
        Assert.Equal(
            Manifest.Where(p => p.Name.StartsWith("features.denseblock", StringComparison.Ordinal) || p.Name.StartsWith("features.norm5.", StringComparison.Ordinal)).Select(p => p.ToString()),
            error.MissingKeys);
        Assert.Empty(error.MismatchedKeys);
    }
}
