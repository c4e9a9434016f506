namespace DenseNetGen.Cli.Tests;

public sealed class ProgressBarTests
{
    [Fact]
    public void RedrawsOneLineInPlaceAndErasesItWhenDone()
    {
        var terminal = new StringWriter();
        var bar = new ProgressBar(terminal, 40);

        bar.Report(10);
        bar.Report(40);

        var frames = terminal.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"[{new string('#', 7)}{new string('.', 23)}] 10/40", frames[0]);
        Assert.Equal($"[{new string('#', 30)}] 40/40", frames[1]);
        Assert.True(frames[2].Length >= frames[1].Length && string.IsNullOrWhiteSpace(frames[2]), "the last frame blanks the bar");
        Assert.DoesNotContain('\n', terminal.ToString());
    }

    [Fact]
    public void NoBarWhenTheWriterIsNotTheConsole() => Assert.Null(ProgressBar.ForConsole(new StringWriter(), 100));
}
