using System.Diagnostics;
using System.Text.RegularExpressions;

namespace DenseNetGen.Serving.Tests;

/// <summary>
/// A real `densenet serve` process listening on a free loopback port (--urls http://127.0.0.1:0; the port is read
/// from the line the server prints), with an HttpClient for it. Disposing sends SIGTERM, as Kubernetes does, and
/// waits for the process to exit.
/// </summary>
internal sealed partial class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringWriter _output = new();

    public ServerProcess(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var argument in (string[])[Path.Combine(AppContext.BaseDirectory, "densenet.dll"), "serve", "--urls", "http://127.0.0.1:0", .. arguments])
            start.ArgumentList.Add(argument);
        _process = Process.Start(start)!;
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.WriteLine(e.Data);
            if (Listening().Match(e.Data) is { Success: true } match) listening.TrySetResult(new Uri(match.Groups[1].Value));
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.WriteLine(e.Data);
        };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"densenet serve exited ({_process.ExitCode}):\n{Output}"));
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!listening.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            _process.Kill();
            throw new TimeoutException($"densenet serve did not start listening within 60 s:\n{Output}");
        }
        Client = new HttpClient { BaseAddress = listening.Task.Result, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Client { get; }

    /// <summary>What the server printed so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Sends SIGTERM (a graceful stop).</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();

    /// <summary>Waits for the process to end; its exit code.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new TimeoutException($"densenet serve did not exit within {timeout}:\n{Output}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            Terminate();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
