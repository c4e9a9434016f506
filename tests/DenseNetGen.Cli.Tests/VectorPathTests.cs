using System.Diagnostics;
using System.Runtime.Intrinsics.Arm;

namespace DenseNetGen.Cli.Tests;

/// <summary>
/// The SIMD backend's vector path is chosen once per process, so these run `densenet predict` in a child process
/// with the JIT's instruction sets narrowed and read the device line it prints: without FMA the programs are built
/// over the multiply-then-add vectors (the device line names the same type the programs get), and the answer stays
/// the ankle boot at the score README shows.
/// </summary>
public sealed class VectorPathTests
{
    [Theory]
    [InlineData("DOTNET_EnableAVX2", "(Vector128, no FMA, ")]
    [InlineData("DOTNET_EnableHWIntrinsic", "(Vector128 (software), no FMA, ")]
    public void WithoutFmaTheDeviceLineSaysSoAndTheAnswerHolds(string setting, string deviceLine)
    {
        // NEON always multiplies and adds fused, and AVX2 settings mean nothing on ARM64.
        if (AdvSimd.IsSupported && setting == "DOTNET_EnableAVX2") return;

        var (code, output) = Densenet(setting, "predict", CliRunner.Sample("ankle-boot.png"), "--device", "cpu");

        Assert.True(code == CliApp.Ok, output);
        Assert.Contains(deviceLine, output);
        Assert.Matches(@"1\. Ankle boot\s+class\s+9\s+score 0\.996", output);
    }

    /// <summary>Runs the densenet built beside this test assembly, with <paramref name="setting"/>=0.</summary>
    private static (int Code, string Output) Densenet(string setting, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "densenet.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment[setting] = "0";
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2))) process.Kill();
        return (process.ExitCode, output + error.Result);
    }
}
