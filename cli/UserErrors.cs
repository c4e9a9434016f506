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

    /// <summary>The longest message printed: a 50 MB annotation-file line once became a 100 MB "one-line" error.</summary>
    public const int MaxMessageLength = 1000;

    /// <summary>
    /// A message as one line of at most <see cref="MaxMessageLength"/> characters: control characters (a newline in a
    /// file name, an escape sequence in a data file) are written as \n, \t or \u001b, and the rest is cut with a count.
    /// </summary>
    public static string OneLine(string message)
    {
        var line = new System.Text.StringBuilder(Math.Min(message.Length, MaxMessageLength + 40));
        foreach (var c in message)
        {
            if (line.Length >= MaxMessageLength) break;
            line.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return line.Length < MaxMessageLength ? line.ToString() : $"{line} … ({message.Length:N0} characters in all)";
    }
}
