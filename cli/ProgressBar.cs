namespace DenseNetGen.Cli;

/// <summary>A one-line progress bar on stderr, drawn only when stderr is a terminal so logs stay clean.</summary>
internal sealed class ProgressBar(TextWriter stderr, int total) : IProgress<int>
{
    private const int Width = 30;
    private readonly bool _enabled = total > 0 && ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;

    public void Report(int done)
    {
        if (!_enabled) return;
        int filled = (int)((long)Width * done / total);
        stderr.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {done}/{total}");
        if (done >= total) stderr.Write("\r" + new string(' ', Width + 24) + "\r");
    }
}
