using DenseNetGen.IO;

namespace DenseNetGen.Data;

/// <summary>
/// Walks a data set's folders under <see cref="DatasetFileOptions"/>: directory links skipped (or followed, each real
/// directory once), and every file reached through a link checked to lie under the root once its links are resolved.
/// </summary>
/// <remarks>Two `ln -s . l` loops once made `densenet test` walk for minutes, and a class folder linked to / scored files outside the data.</remarks>
internal sealed class FolderWalk
{
    private readonly string _root;
    private readonly string _realRoot;
    private readonly DatasetFileOptions _options;
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);

    public FolderWalk(string root, DatasetFileOptions options)
    {
        _root = root;
        _realRoot = InputFile.RealPath(root);
        _options = options;
    }

    /// <summary>The subdirectories of <paramref name="directory"/> that the options let the walk enter.</summary>
    public IEnumerable<string> Directories(string directory) =>
        Directory.EnumerateDirectories(directory).Where(Enters).ToList();

    /// <summary>Every file below <paramref name="directory"/>, each checked to lie under the root.</summary>
    public IEnumerable<string> Files(string directory)
    {
        var pending = new Stack<string>([directory]);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            if (_options.FollowDirectoryLinks && !_visited.Add(InputFile.RealPath(current))) continue;
            foreach (var file in Directory.EnumerateFiles(current))
            {
                // The directories walked are under the root (plain ones by construction, linked ones checked), so
                // only a file that is itself a link can lead outside.
                if (InputFile.KindOf(file, followLinks: false) == FileKind.SymbolicLink) CheckInside(file);
                yield return file;
            }
            foreach (var sub in Directories(current)) pending.Push(sub);
        }
    }

    /// <summary>Refuses <paramref name="path"/> when its real path lies outside the root and the options do not allow it.</summary>
    /// <exception cref="InvalidDataException">It lies outside.</exception>
    public void CheckInside(string path)
    {
        if (_options.AllowOutsideRoot) return;
        var real = InputFile.RealPath(path);
        if (!InputFile.IsUnder(real, _realRoot))
            throw new InvalidDataException(
                $"'{path}' is '{real}', outside the data root '{_root}' (allow it with --allow-outside-root or DatasetFileOptions.AllowOutsideRoot).");
    }

    // A plain directory is entered; a linked one only when links are followed and it is inside the root (or
    // allowed). Files() walks each real directory once, so a loop ends.
    private bool Enters(string directory)
    {
        if (InputFile.KindOf(directory, followLinks: false) != FileKind.SymbolicLink) return true;
        if (!_options.FollowDirectoryLinks) return false;
        CheckInside(directory);
        return true;
    }
}
