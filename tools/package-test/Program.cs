// The new user's program in tools/package-test.sh: a console project whose only DenseNetGen reference is
// `dotnet add package DenseNetGen` (or DenseNetGen.Gpu), with tiny-cifar.densenet.json dropped in; also published
// with NativeAOT. It prints the device line (which backend auto chose, and why). It loads the generated class's weights
// from a checkpoint file and runs an input read from a file (both written by tools/make_package_test_files.py), and
// holds its logits to PyTorch's for the same weights and input (tests/references/parity/TinyCifarNet.json).
// Arguments: REFERENCE.json WEIGHTS.safetensors INPUT.f32. Exit 0 only when the parameter count and every logit match.
using System.Text.Json;
using System.Runtime.InteropServices;
using DenseNetGen.Execution;
using DenseNetGen.Tests.Nets;

using var reference = JsonDocument.Parse(File.ReadAllBytes(args[0]));
var pytorch = reference.RootElement;
var firstCase = pytorch.GetProperty("cases")[0];
int[] shape = [.. firstCase.GetProperty("inputShape").EnumerateArray().Select(d => d.GetInt32())];
float[] expected = [.. firstCase.GetProperty("logits").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];
long expectedParameters = pytorch.GetProperty("parameterCount").GetInt64();

Console.WriteLine($"{nameof(TinyCifarNet)}: {TinyCifarNet.ParameterCount:N0} parameters (PyTorch: {expectedParameters:N0})");
Console.WriteLine($"device: {ComputeDevice.Default.Description}");
using var net = TinyCifarNet.Load(args[1]);
float[] input = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(args[2])).ToArray();   // little-endian float32, NCHW
var logits = net.Forward(input, shape[0], shape[2], shape[3]);
Console.WriteLine($"logits:  {string.Join(", ", logits.Select(v => v.ToString("0.000000")))}");
Console.WriteLine($"PyTorch: {string.Join(", ", expected.Select(v => v.ToString("0.000000")))}");

// The FP32 parity bar of the repository's tests (tests/Common/Tolerance.cs): max |Δ| <= 2e-5 * max(1, max |reference|).
// Math.Max propagates NaN where LINQ's Max skips it, so a NaN logit (or reference) fails instead of vanishing.
float bar = 2e-5f * Math.Max(1f, expected.Aggregate(0f, (m, v) => Math.Max(m, Math.Abs(v))));
float maxDiff = logits.Length == expected.Length ? logits.Zip(expected, (a, b) => Math.Abs(a - b)).Aggregate(0f, Math.Max) : float.PositiveInfinity;
bool same = TinyCifarNet.ParameterCount == expectedParameters && maxDiff <= bar; // false for a NaN maxDiff
Console.WriteLine($"max |Δ| {maxDiff:0.0e+0} (bar {bar:0.0e+0}): {(same ? "equal to PyTorch" : "DIFFERENT from PyTorch")}");
return same ? 0 : 1;
