namespace DenseNetGen.Cli;

/// <summary>An invalid combination of arguments that the parser cannot see; exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Which exceptions are the user's mistakes (one line, no stack trace) rather than bugs.</summary>
internal static class UserErrors
{
    public static string? Describe(Exception e) => e switch
    {
        UsageException or DenseNetException or ArgumentException
            or FileNotFoundException or DirectoryNotFoundException or InvalidDataException
            or UnauthorizedAccessException or NotSupportedException => e.Message,
        IOException io => io.Message,
        _ => null,
    };
}
