// The new user's program in tools/package-test.sh: a console project whose only DenseNetGen reference is
// `dotnet add package DenseNetGen`, with tiny-cifar.densenet.json dropped in. It runs the generated class on the
// deterministic weights and input of tools/deterministic.py and holds its logits to PyTorch's for the same
// spec (tests/references/parity/TinyCifarNet.json, passed as the argument). Exit 0 only when the parameter count
// and every logit match.
using System.Text.Json;
using DenseNetGen.Checkpoints;
using DenseNetGen.Execution;
using DenseNetGen.Tests.Nets;

using var reference = JsonDocument.Parse(File.ReadAllBytes(args[0]));
var pytorch = reference.RootElement;
var firstCase = pytorch.GetProperty("cases")[0];
int[] shape = [.. firstCase.GetProperty("inputShape").EnumerateArray().Select(d => d.GetInt32())];
float[] expected = [.. firstCase.GetProperty("logits").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetSingle())];
long expectedParameters = pytorch.GetProperty("parameterCount").GetInt64();

Console.WriteLine($"{nameof(TinyCifarNet)}: {TinyCifarNet.ParameterCount:N0} parameters (PyTorch: {expectedParameters:N0})");
using var net = TinyCifarNet.FromTensors(DeterministicWeights.ForManifest(TinyCifarNet.Definition.Parameters), ComputeDevice.Default);
var logits = net.Forward(DeterministicWeights.Input(shape[0], shape[1], shape[2], shape[3]), shape[0], shape[2], shape[3]);
Console.WriteLine($"logits:  {string.Join(", ", logits.Select(v => v.ToString("0.000000")))}");
Console.WriteLine($"PyTorch: {string.Join(", ", expected.Select(v => v.ToString("0.000000")))}");

// The parity bar of the repository's tests: max |Δ| <= 1e-4 * max(1, max |reference|).
float bar = 1e-4f * Math.Max(1f, expected.Max(Math.Abs));
float maxDiff = logits.Length == expected.Length ? logits.Zip(expected, (a, b) => Math.Abs(a - b)).Max() : float.PositiveInfinity;
bool same = TinyCifarNet.ParameterCount == expectedParameters && maxDiff <= bar;
Console.WriteLine($"max |Δ| {maxDiff:0.0e+0} (bar {bar:0.0e+0}): {(same ? "equal to PyTorch" : "DIFFERENT from PyTorch")}");
return same ? 0 : 1;
