using DenseNetGen.Data;
using DenseNetGen.Labels;

namespace DenseNetGen.Runtime.Tests.Data;

/// <summary>
/// A data set must have the model's classes before it is evaluated: the same count, and where the model's classes
/// have names, class folders that are those names (images then labelled by name, not by folder sort order).
/// </summary>
public sealed class DatasetClassTests
{
    private static readonly IReadOnlyList<string> Fashion = LabelSet.Get(LabelSet.FashionMnist, 10);

    private static ImageFolderDataset Folders(TempDirectory temp, params string[] classes)
    {
        foreach (var c in classes)
        {
            Directory.CreateDirectory(Path.Combine(temp.Path, c));
            File.WriteAllBytes(Path.Combine(temp.Path, c, "1.png"), []);
        }
        return ImageFolderDataset.FromDirectory(temp.Path);
    }

    [Fact]
    public void A_different_number_of_class_folders_is_refused()
    {
        using var temp = new TempDirectory();
        var dataset = Folders(temp, "a", "b", "c");

        var e = Assert.Throws<DatasetMismatchException>(() => dataset.ForClasses(10, null));

        Assert.Equal((3, 10), (e.DatasetClasses, e.ModelClasses));
        Assert.Contains("3 class folders but the model has 10 classes", e.Message);
    }

    [Fact]
    public void Folders_named_otherwise_than_known_classes_are_refused_and_listed()
    {
        using var temp = new TempDirectory();
        var dataset = Folders(temp, [.. Enumerable.Range(0, 10).Select(i => $"c{i}")]);

        var e = Assert.Throws<DatasetMismatchException>(() => dataset.ForClasses(10, Fashion));

        Assert.Equal(10, e.Unmatched.Count);
        Assert.Contains("'c0'", e.Message);
        Assert.Contains("'T-shirt/top'", e.Message);
    }

    [Fact]
    public void Folders_named_as_the_classes_are_labelled_by_name_not_by_sort_order()
    {
        using var temp = new TempDirectory();
        // Folder names as a file system allows them: '/' cannot appear, case and separators vary.
        string[] folders = ["t-shirt_top", "TROUSER", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"];
        var dataset = Folders(temp, folders);

        var matched = (ImageFolderDataset)dataset.ForClasses(10, Fashion);

        // Sorted ordinally the folders start "Ankle_boot", "Bag", "Coat" (labels 0, 1, 2); by name they are 9, 8, 4.
        Assert.Equal([9, 8, 4], matched.Labels.Take(3));
        Assert.Equal(folders, matched.Classes);
        Assert.Equal(dataset.Paths, matched.Paths);
    }

    [Fact]
    public void Numbered_classes_only_need_the_count()
    {
        using var temp = new TempDirectory();
        var dataset = Folders(temp, [.. Enumerable.Range(0, 10).Select(i => $"c{i}")]);

        Assert.Same(dataset, dataset.ForClasses(10, null));
    }

    [Fact]
    public void ImageNet_WordNet_id_folders_are_taken_in_sorted_order()
    {
        using var temp = new TempDirectory();
        var imagenet = LabelSet.Get(LabelSet.ImageNet1k, 1000);
        var dataset = Folders(temp, [.. Enumerable.Range(0, 1000).Select(i => $"n{i * 7919 % 100000000:D8}")]);

        Assert.Same(dataset, dataset.ForClasses(1000, imagenet));
    }

    [Fact]
    public void An_ImageNet_synonym_names_its_class_and_a_shared_name_matches_none()
    {
        using var temp = new TempDirectory();
        var names = new[] { "tench, Tinca tinca", "goldfish, Carassius auratus", "crane", "crane" };
        var dataset = Folders(temp, "Carassius auratus", "tench", "crane", "x");

        var e = Assert.Throws<DatasetMismatchException>(() => dataset.ForClasses(4, names));

        Assert.Equal(["crane", "x"], e.Unmatched);
    }

    [Fact]
    public void An_annotation_label_past_the_models_classes_is_refused()
    {
        using var temp = new TempDirectory();
        var annotations = Path.Combine(temp.Path, "val.txt");
        File.WriteAllText(annotations, "a.png 3\nb.png 12\n");
        var dataset = ImageFolderDataset.FromAnnotationFile(annotations);

        var e = Assert.Throws<DatasetMismatchException>(() => dataset.ForClasses(10, Fashion));

        Assert.Contains("image 1 has label 12", e.Message);
        Assert.Same(dataset, dataset.ForClasses(13, null));
    }
}
