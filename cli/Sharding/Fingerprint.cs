using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using DenseNetGen.Checkpoints;
using DenseNetGen.Data;

namespace DenseNetGen.Cli.Sharding;

/// <summary>
/// What makes two shards parts of one evaluation: the same weights (by value, so a .pth and its .safetensors
/// conversion agree wherever they were loaded from) and the same images in the same order (by their labels).
/// </summary>
internal static class Fingerprint
{
    /// <summary>SHA-256 of every bound tensor's name, shape and values, in name order.</summary>
    public static string Of(BoundCheckpoint weights)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in weights.Tensors.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}[{string.Join(",", tensor.Shape)}]"));
            hash.AppendData(MemoryMarshal.AsBytes(tensor.Data.AsSpan()));
        }
        return Text(hash);
    }

    /// <summary>SHA-256 of the image count and every label in order.</summary>
    public static string Of(ImageDataset dataset)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(dataset.Count));
        hash.AppendData(MemoryMarshal.AsBytes(dataset.Labels.ToArray().AsSpan()));
        return Text(hash);
    }

    private static string Text(IncrementalHash hash) => "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
}
