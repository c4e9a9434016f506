using System.Text.Json;
using System.Text.Json.Serialization;

namespace DenseNetGen.Cli.Sharding;

/// <summary>
/// What `densenet test --shard I/N --out FILE.json` writes: which model, weights and images it evaluated, which slice,
/// and its counts; `densenet test --merge` adds shards up.
/// </summary>
/// <param name="Format">Always <see cref="FormatName"/>: a file that says otherwise is not a shard.</param>
/// <param name="Model">The network's name (its plan's).</param>
/// <param name="Weights">Where the weights came from (a checkpoint path, or the embedded resource).</param>
/// <param name="ModelFingerprint">The weights' <see cref="Fingerprint"/>: shards of one evaluation share it.</param>
/// <param name="Data">The --data folder, for messages.</param>
/// <param name="DataFingerprint">The images' <see cref="Fingerprint"/>: shards of one evaluation share it.</param>
/// <param name="Images">Images in the whole evaluation (after --limit), of which this shard took [Start, Start + Count).</param>
/// <param name="Shard">This shard's index, from 0.</param>
/// <param name="Shards">How many shards the evaluation was cut into.</param>
/// <param name="Start">This shard's first image.</param>
/// <param name="Count">This shard's image count.</param>
/// <param name="Top1">Images whose best class was the label.</param>
/// <param name="Top5">Images whose label was among the five best classes.</param>
/// <param name="Seconds">This shard's evaluation time (decoding and forward passes).</param>
internal sealed record ShardFile(
    string Format, string Model, string Weights, string ModelFingerprint, string Data, string DataFingerprint,
    int Images, int Shard, int Shards, int Start, int Count, int Top1, int Top5, double Seconds)
{
    public const string FormatName = "densenet-test-shard/1";

    /// <summary>Larger files are not shards (one is a few hundred bytes); refusing them bounds what a merge reads.</summary>
    private const long MaxBytes = 64 * 1024;

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, ShardJson.Default.ShardFile) + Environment.NewLine);

    /// <summary>A shard file, checked on its own: its slice is the one its index names, its counts fit its images.</summary>
    /// <exception cref="InvalidDataException">It is not a shard file or does not add up; the message names the file.</exception>
    public static ShardFile Read(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"Shard file not found: {info.FullName}");
        if (info.Length > MaxBytes) throw new InvalidDataException($"{path}: {info.Length} bytes is too large for a densenet test shard file.");
        ShardFile? shard;
        try
        {
            shard = JsonSerializer.Deserialize(File.ReadAllText(path), ShardJson.Default.ShardFile);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a densenet test shard file ({e.Message})");
        }
        if (shard is null || shard.Format != FormatName)
            throw new InvalidDataException($"{path}: not a densenet test shard file (format is not \"{FormatName}\").");
        if (shard.Problem() is { } problem) throw new InvalidDataException($"{path}: {problem}.");
        return shard;
    }

    private string? Problem()
    {
        if (Shards is < 1 or > Sharding.Shard.MaxCount || Shard < 0 || Shard >= Shards) return $"shard {Shard}/{Shards} does not exist";
        if (Images < 0) return $"{Images} images";
        if (new Shard(Shard, Shards).Range(Images) != (Start, Count))
            return $"shard {Shard}/{Shards} of {Images} images is not images [{Start}, {Start + (long)Count})";
        if (Top1 < 0 || Top1 > Top5 || Top5 > Count) return $"the counts (top-1 {Top1}, top-5 {Top5} of {Count}) do not add up";
        if (!double.IsFinite(Seconds) || Seconds < 0) return $"the time {Seconds} s is not a duration";
        return null;
    }
}

/// <summary>
/// The shard file's JSON, generated at compile time so that a NativeAOT or trimmed `densenet` reads and writes it
/// too: camelCase, indented, every member required and none unknown, null only where the record allows it.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow, RespectRequiredConstructorParameters = true,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(ShardFile))]
internal sealed partial class ShardJson : JsonSerializerContext;
