using DenseNetGen.Data;
using DenseNetGen.Planning;
using DenseNetGen.Preprocessing;
using DenseNetGen.Runtime.Tests.Preprocessing;

namespace DenseNetGen.Runtime.Tests.Data;

public sealed class ImageFolderDatasetTests
{
    private static readonly ImagePreprocessor Preprocessor =
        new(new PreprocessInfo([123.675f, 116.28f, 103.53f], [58.395f, 57.12f, 57.375f], 64, 56));

    [Fact]
    public void Class_folders_are_sorted_into_indices_and_non_images_are_skipped()
    {
        using var temp = new TempDirectory();
        Copy("tiny-29x23.png", temp.Path, "zebra/b.png");
        Copy("portrait-97x131.bmp", temp.Path, "zebra/a.bmp");
        Copy("portrait-240x330.jpg", temp.Path, "ant/nested/x.jpg");
        File.WriteAllText(Path.Combine(temp.Path, "zebra", "notes.txt"), "not an image");

        var dataset = ImageFolderDataset.FromDirectory(temp.Path);

        Assert.Equal(new[] { "ant", "zebra" }, dataset.Classes);
        Assert.Equal(new[] { 0, 1, 1 }, dataset.Labels);
        Assert.Equal(new[] { "x.jpg", "a.bmp", "b.png" }, dataset.Paths.Select(Path.GetFileName));
    }

    [Fact]
    public void An_annotation_file_lists_paths_and_labels()
    {
        using var temp = new TempDirectory();
        Copy("tiny-29x23.png", temp.Path, "images/one two.png");
        Copy("portrait-97x131.bmp", temp.Path, "images/b.bmp");
        var annotations = Path.Combine(temp.Path, "val.txt");
        File.WriteAllText(annotations, "images/one two.png 7\n\nimages/b.bmp 3\n");

        var dataset = ImageFolderDataset.FromAnnotationFile(annotations);

        Assert.Null(dataset.Classes);
        Assert.Equal(new[] { 7, 3 }, dataset.Labels);
        Assert.Equal(Path.Combine(temp.Path, "images", "one two.png"), dataset.Paths[0]);
    }

    [Fact]
    public void A_batch_equals_preprocessing_the_files_directly()
    {
        using var temp = new TempDirectory();
        Copy("landscape-320x180.png", temp.Path, "a/1.png");
        Copy("gray-150x200.png", temp.Path, "b/2.png");
        var dataset = ImageFolderDataset.FromDirectory(temp.Path);

        var batch = dataset.LoadBatch(Preprocessor, 0, 2);

        Assert.Equal(Preprocessor.Load(dataset.Paths).Data, batch.Data);
        Assert.Equal(new[] { 2, 3, 56, 56 }, batch.Shape);
    }

    [Fact]
    public void A_batch_decoded_in_parallel_keeps_the_dataset_order()
    {
        using var temp = new TempDirectory();
        string[] images = ["landscape-320x180.png", "gray-150x200.png", "portrait-97x131.bmp", "tiny-29x23.png",
            "portrait-240x330.jpg", "odd-397x283.png", "landscape-203x151.webp", "exif-rotate90-160x96.jpg"];
        for (int i = 0; i < 16; i++)
            Copy(images[i * 5 % images.Length], temp.Path, $"c/{i:D2}{Path.GetExtension(images[i * 5 % images.Length])}");
        var dataset = ImageFolderDataset.FromDirectory(temp.Path);

        var batch = dataset.LoadBatch(Preprocessor, 1, 14);

        var oneByOne = dataset.Paths.Skip(1).Take(14).SelectMany(p => Preprocessor.Load(p).Data).ToArray();
        Assert.Equal(oneByOne, batch.Data);
    }

    [Fact]
    public void Of_several_bad_images_in_a_batch_the_first_is_reported()
    {
        using var temp = new TempDirectory();
        for (int i = 0; i < 12; i++)
            Copy("tiny-29x23.png", temp.Path, $"c/{i:D2}.png");
        foreach (var bad in new[] { 5, 8, 11 })
            File.WriteAllText(Path.Combine(temp.Path, "c", $"{bad:D2}.png"), "not a png");
        var dataset = ImageFolderDataset.FromDirectory(temp.Path);

        for (int attempt = 0; attempt < 5; attempt++)
        {
            var e = Assert.Throws<ImageDecodeException>(() => dataset.LoadBatch(Preprocessor, 0, 12));
            Assert.Equal(Path.Combine(temp.Path, "c", "05.png"), e.ImageSource);
        }
    }

    [Fact]
    public void A_bad_annotation_line_names_file_and_line()
    {
        using var temp = new TempDirectory();
        var annotations = Path.Combine(temp.Path, "ann.txt");
        File.WriteAllText(annotations, "a.png 1\nb.png cat\n");

        var e = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.FromAnnotationFile(annotations));

        Assert.Contains($"'{annotations}' line 2", e.Message);
    }

    [Fact]
    public void A_listed_image_that_is_missing_fails_with_its_path()
    {
        using var temp = new TempDirectory();
        var annotations = Path.Combine(temp.Path, "ann.txt");
        File.WriteAllText(annotations, "missing.png 0\n");
        var dataset = ImageFolderDataset.FromAnnotationFile(annotations);

        var e = Assert.Throws<ImageDecodeException>(() => dataset.LoadBatch(Preprocessor, 0, 1));

        Assert.Equal(Path.Combine(temp.Path, "missing.png"), e.ImageSource);
    }

    private static void Copy(string reference, string root, string relative)
    {
        var destination = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        File.Copy(ReferenceImages.PathOf(reference), destination);
    }
}
