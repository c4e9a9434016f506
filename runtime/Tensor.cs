namespace DenseNetGen;

/// <summary>A named float32 tensor in host memory, row-major (C order).</summary>
public sealed class Tensor
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of <paramref name="shape"/>.</summary>
    /// <param name="name">Name shown in messages, usually the parameter's canonical name.</param>
    /// <param name="shape">Dimensions, outermost first; an empty shape is a scalar.</param>
    /// <param name="data">The elements in row-major order; the tensor keeps this array.</param>
    /// <exception cref="ArgumentException">The shape's element count differs from <paramref name="data"/>'s length.</exception>
    public Tensor(string name, int[] shape, float[] data)
    {
        long count = 1;
        foreach (var d in shape) count *= d;
        if (count != data.Length)
            throw new ArgumentException($"Tensor '{name}': shape [{string.Join(", ", shape)}] needs {count} elements, got {data.Length}.");
        Name = name;
        Shape = shape;
        Data = data;
    }

    /// <summary>The name given at construction, e.g. "features.conv0.weight".</summary>
    public string Name { get; }
    /// <summary>Dimensions, outermost first (PyTorch's order).</summary>
    public IReadOnlyList<int> Shape { get; }
    /// <summary>
    /// The elements, row-major; the array itself, not a copy. A model binds its weights when it is created, so
    /// writing here afterwards does not change its results.
    /// </summary>
    public float[] Data { get; }

    /// <summary>The name and shape, e.g. "features.conv0.weight [64, 3, 7, 7]".</summary>
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
