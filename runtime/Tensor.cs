namespace DenseNetGen;

/// <summary>A named float32 tensor in host memory, row-major (C order).</summary>
public sealed class Tensor
{
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

    public string Name { get; }
    public IReadOnlyList<int> Shape { get; }
    public float[] Data { get; }

    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
