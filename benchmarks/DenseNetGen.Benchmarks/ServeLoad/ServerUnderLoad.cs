using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace DenseNetGen.Benchmarks.ServeLoad;

/// <summary>
/// A `densenet serve` child process on 127.0.0.1 (port chosen by the system, read from the line it prints): its
/// resident memory from /proc, its Prometheus metrics, and a SIGTERM to stop it.
/// </summary>
internal sealed partial class ServerUnderLoad : IDisposable
{
    private readonly Process _process;

    public ServerUnderLoad(string densenetDll, IEnumerable<string> serveArguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])[densenetDll, "serve", "--urls", "http://127.0.0.1:0", .. serveArguments])
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new IOException("Could not start densenet serve.");
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) Console.Error.WriteLine($"  server: {e.Data}");
        };
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (_process.StandardOutput.ReadLine() is { } line)
        {
            Console.WriteLine($"  server: {line}");
            if (Listening().Match(line) is { Success: true } match)
            {
                Address = new Uri(match.Groups[1].Value);
                // Keep draining stdout so the server never blocks on a full pipe.
                _ = Task.Run(() => _process.StandardOutput.ReadToEnd());
                return;
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(2)) break;
        }
        _process.Kill();
        throw new IOException("densenet serve did not start listening (see its output above).");
    }

    /// <summary>Always a loopback address: the server was told 127.0.0.1.</summary>
    public Uri Address { get; } = null!;

    /// <summary>VmRSS of the server process, or null off Linux.</summary>
    public long? ResidentBytes()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line[6..].Trim().Replace(" kB", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Series of the Prometheus text at /metrics, by their full name with labels.</summary>
    public static async Task<Dictionary<string, double>> MetricsAsync(HttpClient client)
    {
        var text = await client.GetStringAsync("metrics");
        var series = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            int space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                series[line[..space]] = value;
        }
        return series;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(60))) _process.Kill();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"^listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
