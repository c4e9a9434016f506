using DenseNetGen.Preprocessing;

namespace DenseNetGen.Data;

/// <summary>
/// Image files with class labels, as mmpretrain's CustomDataset reads them: either one
/// subfolder per class (class index = position of the folder name in ordinal sort order), or an
/// annotation file with one "relative/path.jpg label" per line.
/// </summary>
public sealed class ImageFolderDataset : ImageDataset
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
        { ".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp" };

    private readonly string[] _paths;
    private readonly int[] _labels;

    private ImageFolderDataset(string[] paths, int[] labels, IReadOnlyList<string>? classes)
    {
        _paths = paths;
        _labels = labels;
        Classes = classes;
    }

    /// <summary>Class names when read from folders (index order); null for an annotation file.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>Full path of every image.</summary>
    public IReadOnlyList<string> Paths => _paths;

    public override int Count => _paths.Length;
    public override IReadOnlyList<int> Labels => _labels;

    public override DecodedImage LoadImage(int index, int channels) => ImageDecoder.Decode(_paths[index], channels);

    /// <summary>Reads <paramref name="root"/>/&lt;class&gt;/**/&lt;image&gt; (files sorted within each class).</summary>
    public static ImageFolderDataset FromDirectory(string root)
    {
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        var classes = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"Image folder '{root}' has no class subfolders.");
        var paths = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < classes.Length; label++)
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, classes[label]), "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f)))
                .Order(StringComparer.Ordinal);
            foreach (var file in files)
            {
                paths.Add(file);
                labels.Add(label);
            }
        }
        if (paths.Count == 0)
            throw new InvalidDataException($"Image folder '{root}' has no images ({string.Join(", ", Extensions)}).");
        return new ImageFolderDataset([.. paths], [.. labels], classes);
    }

    /// <summary>
    /// Reads an annotation file of "path label" lines (the label is after the last space; blank
    /// lines are skipped); paths are relative to <paramref name="imageRoot"/>, by default the
    /// file's folder.
    /// </summary>
    public static ImageFolderDataset FromAnnotationFile(string annotationFile, string? imageRoot = null)
    {
        imageRoot ??= Path.GetDirectoryName(Path.GetFullPath(annotationFile)) ?? ".";
        var paths = new List<string>();
        var labels = new List<int>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(annotationFile))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int space = line.LastIndexOf(' ');
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), out var label) || label < 0)
                throw new InvalidDataException($"Annotation file '{annotationFile}' line {lineNumber}: expected 'path label', got '{line}'.");
            paths.Add(Path.Combine(imageRoot, line[..space].TrimEnd()));
            labels.Add(label);
        }
        if (paths.Count == 0)
            throw new InvalidDataException($"Annotation file '{annotationFile}' lists no images.");
        return new ImageFolderDataset([.. paths], [.. labels], null);
    }
}
