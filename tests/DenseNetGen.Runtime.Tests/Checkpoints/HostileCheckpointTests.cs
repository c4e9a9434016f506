using DenseNetGen.Checkpoints;

namespace DenseNetGen.Runtime.Tests.Checkpoints;

/// <summary>
/// Issue 10's hostile files (tools/make_checkpoint_corpus.py, each scaled under 1 MB): each is refused with one
/// CheckpointException, and what the refusal allocates stays within a small multiple of the file's size.
/// </summary>
public sealed class HostileCheckpointTests
{
    // Linear in the file: the file is read into memory once, and a pickled key of about 40 bytes becomes about
    // 1 KB of objects (its rebuild call's tuples, the view, the binder's key mapping).
    private const long AllocationPerFileByte = 32;
    private const long AllocationSlack = 8 << 20;

    [Theory]
    [InlineData("hostile_ordered_dict_growing.pth", "units of work")]
    [InlineData("hostile_ordered_dict_memo.pth", "holds no tensors (entries: meta)")]
    [InlineData("hostile_shared_storage.pth", "20000 unexpected keys")]
    [InlineData("hostile_alias.safetensors", "overlap the previous tensor's bytes")]
    [InlineData("hostile_arabic_digit.pth", "backbone.stages.\u0660.block.0.conv1.weight")]
    [InlineData("hostile_huge_storage.pth", "declares 1,099,511,627,776 float32 elements but its record holds 37,632 bytes")]
    [InlineData("hostile_nan_weight.pth", "hold NaN or infinite values")]
    public void IsRefusedWithOneClearErrorInBoundedMemory(string file, string reason)
    {
        var path = CheckpointCorpusTests.PathOf(file);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Record.Exception(() => CheckpointBinder.Bind(path, ReferenceCheckpoints.Plan));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsType<CheckpointException>(error);
        Assert.True(error.Message.Contains(reason, StringComparison.Ordinal), error.Message);
        Assert.StartsWith(file + ": ", error.Message);
        var bound = AllocationPerFileByte * new FileInfo(path).Length + AllocationSlack;
        Assert.True(allocated <= bound, $"{file}: refusing it allocated {allocated:N0} bytes, more than {bound:N0}");
    }

    [Fact]
    public void KeysSharingOneStorageStayViewsUntilConverted()
    {
        var path = CheckpointCorpusTests.PathOf("hostile_shared_storage.pth");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var contents = CheckpointReader.ReadAll(path);
        Assert.Equal(20_000, contents.Tensors.Count);
        var error = Assert.Throws<CheckpointException>(() => contents.Tensors.Values.Sum(t => t.Data.Length));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("would exceed the", error.Message);
        // Each key views all 32,768 floats; converting every one would take 20,000 x 128 KB = 2.6 GB.
        Assert.True(allocated <= AllocationPerFileByte * new FileInfo(path).Length + AllocationSlack, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void AListReducedToAnOrderedDictAgainAndAgainIsBuiltOnce()
    {
        var path = CheckpointCorpusTests.PathOf("hostile_ordered_dict_memo.pth");
        var before = GC.GetAllocatedBytesForCurrentThread();

        var contents = CheckpointReader.ReadAll(path);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Empty(contents.Tensors);
        Assert.Equal(["meta"], contents.OtherEntries);
        Assert.True(allocated <= AllocationPerFileByte * new FileInfo(path).Length + AllocationSlack, $"allocated {allocated:N0} bytes");
    }
}
