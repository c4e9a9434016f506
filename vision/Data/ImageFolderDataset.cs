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

    /// <inheritdoc/>
    public override int Count => _paths.Length;

    /// <inheritdoc/>
    public override IReadOnlyList<int> Labels => _labels;

    /// <summary>Decodes image <paramref name="index"/>'s file with <see cref="ImageDecoder"/> (its default pixel limit).</summary>
    /// <exception cref="ImageDecodeException">The file is missing, unreadable or too large.</exception>
    public override DecodedImage LoadImage(int index, int channels) => ImageDecoder.Decode(_paths[index], channels);

    /// <summary>The image's file.</summary>
    /// <param name="index">The image's index.</param>
    public override string Describe(int index) => _paths[index];

    /// <summary>
    /// Class folders must be as many as the model's classes. When the model's classes have names, each folder must be
    /// one of them (letters and digits compared, case ignored: "T-shirt_top" is "T-shirt/top"; for ImageNet a synonym
    /// such as "tench" will do) and the images are labelled by name; folders named as ImageNet's WordNet ids
    /// (n01440764 …) are taken in sorted order, as mmpretrain does. An annotation file's labels only need to be in range.
    /// </summary>
    public override ImageDataset ForClasses(int numClasses, IReadOnlyList<string>? classNames)
    {
        if (Classes is null) return base.ForClasses(numClasses, classNames);
        if (Classes.Count != numClasses)
            throw new DatasetMismatchException(
                $"the data set has {Classes.Count} class folders but the model has {numClasses} classes.", Classes.Count, numClasses, []);
        if (classNames is null || Classes.All(IsWordNetId)) return this;

        var byName = ClassNameIndex(classNames);
        var classOfFolder = new int[Classes.Count];
        var unmatched = new List<string>();
        for (int f = 0; f < Classes.Count; f++)
        {
            classOfFolder[f] = byName.TryGetValue(Normalize(Classes[f]), out var c) ? c : -1;
            if (classOfFolder[f] < 0) unmatched.Add(Classes[f]);
        }
        if (unmatched.Count > 0)
            throw new DatasetMismatchException(
                $"class folders {Quote(unmatched)} are none of the model's classes ({Quote(classNames)}).", Classes.Count, numClasses, unmatched);
        if (classOfFolder.Distinct().Count() != classOfFolder.Length)
            throw new DatasetMismatchException("two class folders name the same class of the model.", Classes.Count, numClasses, []);

        var folders = new string[numClasses];
        for (int f = 0; f < Classes.Count; f++) folders[classOfFolder[f]] = Classes[f];
        return new ImageFolderDataset(_paths, [.. _labels.Select(l => classOfFolder[l])], folders);
    }

    // A name and each of its comma-separated synonyms → class index; names two classes share (ImageNet's two
    // "crane"s) map to -1, so a folder with that name matches neither.
    private static Dictionary<string, int> ClassNameIndex(IReadOnlyList<string> classNames)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < classNames.Count; c++)
        {
            foreach (var name in classNames[c].Split(',').Append(classNames[c]).Select(Normalize).Where(n => n.Length > 0).Distinct())
                index[name] = index.TryGetValue(name, out var other) && other != c ? -1 : c;
        }
        return index;
    }

    private static string Normalize(string name) => string.Concat(name.Where(char.IsAsciiLetterOrDigit)).ToLowerInvariant();

    private static bool IsWordNetId(string folder) => folder.Length == 9 && folder[0] == 'n' && folder[1..].All(char.IsAsciiDigit);

    private static string Quote(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(5).Select(n => $"'{n}'")) + (names.Count > 5 ? $" and {names.Count - 5} more" : "");

    /// <summary>
    /// Reads <paramref name="root"/>/&lt;class&gt;/**/&lt;image&gt; (files sorted within each class). Directory links are
    /// not followed unless <see cref="DatasetFileOptions.FollowDirectoryLinks"/> says so (then each directory is walked
    /// once, so a link loop ends), and every image must lie under the root, links resolved, unless
    /// <see cref="DatasetFileOptions.AllowOutsideRoot"/> says otherwise.
    /// </summary>
    /// <exception cref="InvalidDataException">No class folders or no images, or an image outside the root.</exception>
    public static ImageFolderDataset FromDirectory(string root, DatasetFileOptions? options = null)
    {
        options ??= DatasetFileOptions.Default;
        if (!Directory.Exists(root))
            throw new DirectoryNotFoundException($"Image folder '{root}' does not exist.");
        var walk = new FolderWalk(root, options);
        var classes = walk.Directories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0)
            throw new InvalidDataException($"Image folder '{root}' has no class subfolders.");
        var paths = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < classes.Length; label++)
        {
            var files = walk.Files(Path.Combine(root, classes[label]))
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
    /// file's folder, and must lie under it (links resolved) unless <see cref="DatasetFileOptions.AllowOutsideRoot"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">A malformed line, no lines, or a path outside the root.</exception>
    public static ImageFolderDataset FromAnnotationFile(string annotationFile, string? imageRoot = null, DatasetFileOptions? options = null)
    {
        options ??= DatasetFileOptions.Default;
        imageRoot ??= Path.GetDirectoryName(Path.GetFullPath(annotationFile)) ?? ".";
        var confinement = new FolderWalk(imageRoot, options);
        var paths = new List<string>();
        var labels = new List<int>();
        int lineNumber = 0;
        using var stream = IO.InputFile.OpenRegular(annotationFile, long.MaxValue, reason => new InvalidDataException($"Annotation file '{annotationFile}' {reason}."));
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0) continue;
            int space = line.LastIndexOf(' ');
            if (space <= 0 || !int.TryParse(line.AsSpan(space + 1), out var label) || label < 0)
                throw new InvalidDataException($"Annotation file '{annotationFile}' line {lineNumber}: expected 'path label', got '{Excerpt(line)}'.");
            var path = Path.Combine(imageRoot, line[..space].TrimEnd());
            confinement.CheckInside(path);
            paths.Add(path);
            labels.Add(label);
        }
        if (paths.Count == 0)
            throw new InvalidDataException($"Annotation file '{annotationFile}' lists no images.");
        return new ImageFolderDataset([.. paths], [.. labels], null);
    }

    // A line quoted in a message: its start only (a 50 MB line once became a 100 MB "one-line" error).
    private static string Excerpt(string line) => line.Length <= 200 ? line : $"{line[..200]}… ({line.Length:N0} characters)";
}
