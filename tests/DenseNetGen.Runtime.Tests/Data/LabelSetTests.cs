using DenseNetGen.Labels;
using DenseNetGen.Planning;

namespace DenseNetGen.Runtime.Tests.Data;

public sealed class LabelSetTests
{
    /// <summary>The catalogue the generator checks specs against has exactly the sets and sizes the runtime names.</summary>
    [Fact]
    public void Every_catalogued_set_has_its_catalogued_size()
    {
        foreach (var name in LabelCatalog.Names)
        {
            int classes = LabelCatalog.ClassCount(name)!.Value;
            Assert.Equal(classes, LabelSet.Get(name, classes).Count);
        }
    }

    [Fact]
    public void ImageNet_has_the_1000_class_names_in_index_order()
    {
        var names = LabelSet.Get("imagenet1k", 1000);

        Assert.Equal(1000, names.Count);
        Assert.Equal("tench, Tinca tinca", names[0]);
        Assert.Equal("goldfish, Carassius auratus", names[1]);
        Assert.Equal("toilet tissue, toilet paper, bathroom tissue", names[999]);
        Assert.All(names, n => Assert.False(string.IsNullOrWhiteSpace(n)));
    }

    [Fact]
    public void Fashion_mnist_has_its_ten_names()
    {
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            LabelSet.Get("fashion-mnist", 10));
    }

    [Fact]
    public void No_label_set_numbers_the_classes()
    {
        Assert.Equal(["class 0", "class 1", "class 2"], LabelSet.Get(null, 3));
    }

    [Fact]
    public void A_size_mismatch_or_unknown_set_is_rejected()
    {
        Assert.Contains("1000 classes", Assert.Throws<ArgumentException>(() => LabelSet.Get("imagenet1k", 10)).Message);
        Assert.Throws<ArgumentException>(() => LabelSet.Get("cifar100", 100));
    }
}
