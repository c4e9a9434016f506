using System.Globalization;
using System.Text.Json;

namespace DenseNetGen.Runtime.Tests.Kernels;

/// <summary>A case written by tools/make_kernel_references.py: inputs, parameters and PyTorch outputs by name.</summary>
internal sealed class KernelReference
{
    private KernelReference(string name, Dictionary<string, Tensor> tensors)
    {
        Name = name;
        Tensors = tensors;
    }

    public string Name { get; }
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }
    public Tensor this[string tensor] => Tensors[tensor];

    public static KernelReference Load(string name)
    {
        var path = Path.Combine(Directory, name + ".json");
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var tensors = new Dictionary<string, Tensor>();
        foreach (var entry in document.RootElement.GetProperty("tensors").EnumerateObject())
        {
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var data = entry.Value.GetProperty("data").EnumerateArray().Select(Number).ToArray();
            tensors[entry.Name] = new Tensor(entry.Name, shape, data);
        }
        return new KernelReference(name, tensors);
    }

    /// <summary>A number, or NaN and ±∞ written as the strings "NaN", "Infinity" and "-Infinity" (JSON has none).</summary>
    private static float Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? float.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetSingle();

    private static string Directory => RepositoryPaths.References("kernels");
}
