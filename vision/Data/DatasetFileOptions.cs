namespace DenseNetGen.Data;

/// <summary>Which files a folder data set may reach beyond its root's own plain directories and files.</summary>
/// <param name="FollowDirectoryLinks">Walk into directories reached through symbolic links (each directory once, so a loop ends). Off by default, as `find` without -L.</param>
/// <param name="AllowOutsideRoot">Read images whose real path (links resolved) lies outside the data root. Off by default.</param>
public sealed record DatasetFileOptions(bool FollowDirectoryLinks = false, bool AllowOutsideRoot = false)
{
    /// <summary>Links to directories not followed; every image under the root.</summary>
    public static DatasetFileOptions Default { get; } = new();
}
