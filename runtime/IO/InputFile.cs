using System.Runtime.InteropServices;

namespace DenseNetGen.IO;

/// <summary>What a path names, as the operating system sees it.</summary>
public enum FileKind
{
    /// <summary>Nothing exists there (or it cannot be examined).</summary>
    Missing,

    /// <summary>A regular file: the only kind an input is read from.</summary>
    Regular,

    /// <summary>A directory.</summary>
    Directory,

    /// <summary>A symbolic link (only when links are not followed).</summary>
    SymbolicLink,

    /// <summary>A device, FIFO or socket: reading one can block forever or never end (/dev/zero).</summary>
    Other,
}

/// <summary>
/// Reads the files a user names as inputs: only regular files, and only after their size has been checked against a
/// cap, so a path that is (or links to) a device, FIFO or socket is refused before it is opened and nothing is read
/// without knowing how much.
/// </summary>
public static partial class InputFile
{
    /// <summary>What <paramref name="path"/> is: the link itself when <paramref name="followLinks"/> is false, else what it leads to.</summary>
    /// <param name="path">The path to examine.</param>
    /// <param name="followLinks">Whether a symbolic link is followed to what it names.</param>
    public static FileKind KindOf(string path, bool followLinks = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        return OperatingSystem.IsLinux() ? LinuxKind(path, followLinks) : PortableKind(path, followLinks);
    }

    /// <summary>
    /// The whole of the regular file at <paramref name="path"/> (symbolic links followed), refused before it is opened
    /// when it is anything else or longer than <paramref name="maxBytes"/>.
    /// </summary>
    /// <param name="path">The file to read.</param>
    /// <param name="maxBytes">The longest file read.</param>
    /// <param name="fail">Makes the exception for a refusal from its reason ("is a device…", "cannot be read: …").</param>
    /// <param name="reserve">
    /// Called with the file's length once it has passed the checks and before its buffer is allocated, e.g. to charge a
    /// memory budget (which may wait); null for none.
    /// </param>
    public static byte[] ReadAll(string path, long maxBytes, Func<string, Exception> fail, Action<long>? reserve = null)
    {
        ArgumentNullException.ThrowIfNull(fail);
        try
        {
            using var file = OpenRegular(path, maxBytes, fail);
            reserve?.Invoke(file.Length);
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw fail($"cannot be read: {e.Message}");
        }
    }

    /// <summary>
    /// Opens the regular file at <paramref name="path"/> for reading after checking its kind and its length
    /// (at most <paramref name="maxBytes"/>); a refusal is <paramref name="fail"/>'s exception.
    /// </summary>
    /// <param name="path">The file to open.</param>
    /// <param name="maxBytes">The longest file opened.</param>
    /// <param name="fail">Makes the exception for a refusal from its reason.</param>
    public static FileStream OpenRegular(string path, long maxBytes, Func<string, Exception> fail)
    {
        ArgumentNullException.ThrowIfNull(fail);
        switch (KindOf(path))
        {
            case FileKind.Missing: throw fail("does not exist");
            case FileKind.Directory: throw fail("is a directory, not a file");
            case FileKind.Other: throw fail("is not a regular file (a device, FIFO or socket), so it is not read");
        }
        var file = File.OpenRead(path);
        if (file.Length > maxBytes)
        {
            file.Dispose();
            throw fail($"is {file.Length:N0} bytes, more than the {maxBytes:N0} an input of its kind may be");
        }
        return file;
    }

    /// <summary>
    /// <paramref name="path"/> made absolute with every symbolic link in it resolved (the way the kernel will open it),
    /// so that where a file really is can be compared with a root.
    /// </summary>
    /// <param name="path">A path, relative to the current directory or absolute.</param>
    /// <exception cref="IOException">The links loop (more than 40 are met, as the kernel's ELOOP).</exception>
    public static string RealPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var pending = new Stack<string>(Path.GetFullPath(path).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = Path.GetPathRoot(Path.GetFullPath(path)) ?? "/";
        for (int links = 0; pending.Count > 0;)
        {
            var part = pending.Pop();
            if (part == ".") continue;
            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }
            var next = Path.Combine(resolved, part);
            var target = KindOf(next, followLinks: false) == FileKind.SymbolicLink ? new FileInfo(next).LinkTarget : null;
            if (target is null)
            {
                resolved = next;
                continue;
            }
            if (++links > 40) throw new IOException($"Too many levels of symbolic links in '{path}'.");
            if (Path.IsPathRooted(target)) resolved = Path.GetPathRoot(target) ?? resolved;
            foreach (var item in target.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse()) pending.Push(item);
        }
        return resolved;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or below it (both already real paths).</summary>
    /// <param name="path">The real path of a file.</param>
    /// <param name="root">The real path of the root.</param>
    public static bool IsUnder(string path, string root)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(root);
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path == root || path.StartsWith(prefix, StringComparison.Ordinal);
    }

    // statx(2) has the same layout on every Linux architecture (stat(2) does not): stx_mode is the u16 at offset 28.
    private static unsafe FileKind LinuxKind(string path, bool followLinks)
    {
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1, Mode = 28;
        var buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0) return FileKind.Missing;
        return (*(ushort*)(buffer + Mode) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    // Elsewhere .NET cannot tell a device from a file; devices there are not reached through ordinary paths.
    private static FileKind PortableKind(string path, bool followLinks)
    {
        FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null) return FileKind.SymbolicLink;
        return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }
}
