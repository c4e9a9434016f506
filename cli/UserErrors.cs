namespace DenseNetGen.Cli;

/// <summary>An invalid combination of arguments that the parser cannot see; exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Which exceptions are the user's mistakes (one line, no stack trace) rather than bugs. The list is closed on
/// purpose: argument and state exceptions from inside the product are bugs, reported as such (exit 3).
/// </summary>
internal static class UserErrors
{
    public static string? Describe(Exception e) => e switch
    {
        // DenseNetException: a checkpoint, image, device or data set that is not right. IOException covers missing
        // files and folders and unreadable ones; InvalidDataException is a malformed data set (IDX file, annotation
        // list, empty image folder).
        UsageException or DenseNetException or IOException or UnauthorizedAccessException or InvalidDataException => e.Message,
        _ => null,
    };
}
