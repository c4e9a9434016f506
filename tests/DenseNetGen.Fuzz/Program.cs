extern alias generator;

using DenseNetGen.Checkpoints;
using DenseNetGen.Data;
using DenseNetGen.Preprocessing;
using DenseNetGen.Tests.Nets;
using SharpFuzz;
using SpecParser = generator::DenseNetGen.Generator.Parsing.SpecParser;

// One AFL++ target per reader, chosen by the first argument (tools/fuzz.sh TARGET). Each reads one input per
// execution; the reader's documented refusal (CheckpointException, ImageDecodeException, InvalidDataException for
// an IDX file; for a spec, diagnostics rather than an exception) is the expected answer to
// a bad input, and anything else (another exception, a crash, a hang, memory past afl-fuzz's -m limit) is a finding.
var targets = new Dictionary<string, Action<ReadOnlyMemory<byte>>>(StringComparer.Ordinal)
{
    // The restricted unpickler alone, with torch's persistent ids, as TorchZipReader calls it on data.pkl.
    ["pickle"] = bytes =>
    {
        var cursor = new ByteCursor(bytes, "fuzz-input", "pickle");
        PickleReader.Load(cursor, id => TorchStateDict.ParseStorageId(id, cursor));
    },
    // Every format by content, then the binder against OddImageNet, the net the reference checkpoints were written for.
    ["checkpoint"] = bytes => CheckpointBinder.Bind(CheckpointReader.Read(bytes, "fuzz-input"), OddImageNet.Definition),
    ["image"] = bytes => ImageDecoder.Decode(bytes.Span, 3, "fuzz-input"),
    // An IDX array, plain or gzipped, of the rank its own header names, then every image of a rank-3 file as
    // FashionMnistDataset cuts it.
    ["idx"] = bytes =>
    {
        var idx = IdxFile.Read(new MemoryStream(bytes.ToArray(), writable: false), "fuzz-input", bytes.Length > 3 ? bytes.Span[3] : 1);
        if (idx.Dimensions is [var n, var h, var w] && h > 0 && w > 0)
            for (int i = 0; i < n; i++) _ = new DecodedImage(w, h, 1, idx.Data.AsSpan(i * h * w, h * w).ToArray());
    },
    // The generator's spec parser on any text: every problem must be a diagnostic, never an exception.
    ["spec"] = bytes => SpecParser.Parse("/fuzz/net.densenet.json", System.Text.Encoding.UTF8.GetString(bytes.Span)),
};
// Every checkpoint format of CheckpointFormats.All is a target under its name. The list is read lazily: in the
// instrumented build, product code run before Fuzzer.OutOfProcess.Run has mapped afl's bitmap is an access violation
// (it was: every target aborted at start-up once the formats were listed here), so only the uninstrumented copy's
// `targets` and `recognise` read it outside a run.
Action<ReadOnlyMemory<byte>>? FormatTarget(string name) =>
    CheckpointFormats.All.FirstOrDefault(f => f.Name == name) is { } format ? bytes => format.Read(bytes, "fuzz-input", null) : null;

// tools/fuzz.sh asks which targets there are, and which files are seeds of a format's target (those it recognises).
if (args is ["targets"])
{
    Console.WriteLine(string.Join(" ", targets.Keys.Concat(CheckpointFormats.All.Select(f => f.Name))));
    return 0;
}
if (args is ["recognise", .. var files])
{
    foreach (var file in files)
        Console.WriteLine($"{CheckpointFormats.Recognise(File.ReadAllBytes(file))?.Name ?? "-"}\t{file}");
    return 0;
}

if (args is not [var name])
{
    Console.Error.WriteLine($"usage: DenseNetGen.Fuzz TARGET (one of: {string.Join(", ", targets.Keys)} or a checkpoint format's name); input on stdin; or: targets; or: recognise FILE...");
    return 2;
}

var target = targets.GetValueOrDefault(name);
Fuzzer.OutOfProcess.Run(stream =>
{
    // tools/fuzz.sh has checked the name against `targets`; an unknown one fails the first execution loudly.
    target ??= FormatTarget(name) ?? throw new ArgumentException($"unknown fuzz target '{name}'");
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    try
    {
        target(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
    }
    catch (Exception e) when (e is CheckpointException or ImageDecodeException or InvalidDataException)
    {
    }
});
return 0;
