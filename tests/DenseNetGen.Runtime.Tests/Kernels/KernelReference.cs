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
            var data = entry.Value.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            tensors[entry.Name] = new Tensor(entry.Name, shape, data);
        }
        return new KernelReference(name, tensors);
    }

    /// <summary>tests/references/kernels, found by walking up from the test binaries to the repository.</summary>
    private static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tests", "references", "kernels");
                if (System.IO.Directory.Exists(candidate)) return candidate;
            }
            throw new DirectoryNotFoundException($"tests/references/kernels not found above {AppContext.BaseDirectory}.");
        }
    }
}
