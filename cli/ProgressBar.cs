namespace DenseNetGen.Cli;

/// <summary>A one-line progress bar, redrawn in place with carriage returns and erased when the work is done.</summary>
internal sealed class ProgressBar(TextWriter writer, int total) : IProgress<int>
{
    private const int Width = 30;

    /// <summary>A bar on <paramref name="stderr"/> only when it is the console's terminal, so logs and pipes stay clean.</summary>
    public static IProgress<int>? ForConsole(TextWriter stderr, int total) =>
        total > 0 && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected ? new ProgressBar(stderr, total) : null;

    public void Report(int done)
    {
        int filled = (int)((long)Width * done / total);
        writer.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total}");
        if (done >= total) writer.Write("\r" + new string(' ', Width + 24) + "\r");
    }
}
