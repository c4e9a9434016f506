using System.IO.Compression;
using DenseNetGen.Data;
using DenseNetGen.Planning;
using DenseNetGen.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Data;

public sealed class FashionMnistDatasetTests
{
    private static readonly string DatasetDirectory = RepositoryPaths.FashionMnist;

    private static readonly Lazy<FashionMnistDataset> Test = new(() => FashionMnistDataset.Open(DatasetDirectory, FashionMnistSplit.Test));

    [Fact]
    public void The_test_split_has_10000_images_1000_per_class_starting_with_an_ankle_boot()
    {
        var test = Test.Value;

        Assert.Equal(10000, test.Count);
        Assert.Equal((28, 28), (test.Width, test.Height));
        Assert.Equal(9, test.Labels[0]);
        Assert.All(test.Labels.GroupBy(l => l), g => Assert.Equal(1000, g.Count()));
        Assert.Equal(Enumerable.Range(0, 10), test.Labels.Distinct().Order());
    }

    [Fact]
    public void The_train_split_reads_the_train_files()
    {
        // Only the test split is committed; a small gzipped train split written here stands in for the 60,000 images.
        using var temp = new TempDirectory();
        byte[] pixels = [.. Enumerable.Range(0, 3 * 2 * 2).Select(i => (byte)(10 * i))];
        Gzip(Path.Combine(temp.Path, "train-images-idx3-ubyte.gz"), [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, .. pixels]);
        Gzip(Path.Combine(temp.Path, "train-labels-idx1-ubyte.gz"), [0, 0, 8, 1, 0, 0, 0, 3, 4, 0, 7]);

        var train = FashionMnistDataset.Open(temp.Path, FashionMnistSplit.Train);

        Assert.True(FashionMnistDataset.IsDataset(temp.Path));
        Assert.Equal(new[] { 4, 0, 7 }, train.Labels);
        Assert.Equal((2, 2), (train.Width, train.Height));
        Assert.Equal(pixels[8..12], train.LoadImage(2, 1).Pixels);
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnistDataset.Open(temp.Path, FashionMnistSplit.Test));
        Assert.Contains("'t10k-images-idx3-ubyte.gz'", e.Message);
    }

    [Theory]
    [InlineData("ankle-boot.png", 0, 9)]
    [InlineData("sneaker.png", 9, 7)]
    [InlineData("trouser.png", 2, 1)]
    [InlineData("bag.png", 18, 8)]
    [InlineData("dress.png", 13, 3)]
    public void Committed_samples_are_the_test_images_they_are_named_for(string file, int index, int label)
    {
        var sample = ImageDecoder.Decode(Path.Combine(DatasetDirectory, file), 1);

        Assert.Equal(label, Test.Value.Labels[index]);
        Assert.Equal(Test.Value.LoadImage(index, 1).Pixels, sample.Pixels);
    }

    [Fact]
    public void Batches_are_normalized_images_with_their_labels()
    {
        var info = new PreprocessInfo([72.94f], [90.02f], 28, 28);
        var preprocessor = new ImagePreprocessor(info);

        var batches = Test.Value.Batches(preprocessor, 4).Take(2).ToList();

        Assert.Equal(new[] { 4, 1, 28, 28 }, batches[1].Images.Shape);
        Assert.Equal(Test.Value.Labels.Skip(4).Take(4), batches[1].Labels);
        var pixels = Test.Value.LoadImage(5, 1).Pixels;
        Assert.Equal(pixels.Select(p => (p - 72.94f) / 90.02f), batches[1].Images.Data.Skip(784).Take(784));
    }

    [Fact]
    public void Uncompressed_files_read_the_same()
    {
        using var temp = new TempDirectory();
        var labels = Path.Combine(temp.Path, "t10k-labels-idx1-ubyte");
        var images = Path.Combine(temp.Path, "t10k-images-idx3-ubyte");
        Gunzip(Path.Combine(DatasetDirectory, "t10k-labels-idx1-ubyte.gz"), labels);
        Gunzip(Path.Combine(DatasetDirectory, "t10k-images-idx3-ubyte.gz"), images);

        var plain = FashionMnistDataset.Open(temp.Path, FashionMnistSplit.Test);

        Assert.Equal(Test.Value.Labels, plain.Labels);
        Assert.Equal(Test.Value.LoadImage(9999, 1).Pixels, plain.LoadImage(9999, 1).Pixels);
    }

    [Fact]
    public void Malformed_idx_files_are_reported_with_their_path()
    {
        using var temp = new TempDirectory();
        var badMagic = Path.Combine(temp.Path, "bad-magic");
        File.WriteAllBytes(badMagic, [1, 2, 3, 4, 0, 0, 0, 0]);
        var shortData = Path.Combine(temp.Path, "short-data");
        File.WriteAllBytes(shortData, [0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3]);
        var wrongRank = Path.Combine(temp.Path, "wrong-rank");
        File.WriteAllBytes(wrongRank, [0, 0, 8, 1, 0, 0, 0, 1, 7]);

        Assert.Contains(badMagic, Assert.Throws<InvalidDataException>(() => IdxFile.Read(badMagic, 1)).Message);
        Assert.Contains("need 5 data bytes, found 3", Assert.Throws<InvalidDataException>(() => IdxFile.Read(shortData, 1)).Message);
        Assert.Contains(wrongRank, Assert.Throws<InvalidDataException>(() => IdxFile.Read(wrongRank, 3)).Message);
    }

    [Fact]
    public void Mismatched_image_and_label_counts_are_rejected()
    {
        using var temp = new TempDirectory();
        var labels = Path.Combine(temp.Path, "labels");
        File.WriteAllBytes(labels, [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]);

        var e = Assert.Throws<InvalidDataException>(() =>
            new FashionMnistDataset(Path.Combine(DatasetDirectory, "t10k-images-idx3-ubyte.gz"), labels));

        Assert.Contains("10000 images", e.Message);
    }

    private static void Gunzip(string source, string destination)
    {
        using var input = new GZipStream(File.OpenRead(source), CompressionMode.Decompress);
        using var output = File.Create(destination);
        input.CopyTo(output);
    }

    private static void Gzip(string destination, byte[] content)
    {
        using var output = new GZipStream(File.Create(destination), CompressionLevel.Optimal);
        output.Write(content);
    }
}
