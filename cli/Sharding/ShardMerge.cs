using DenseNetGen.Inference;

namespace DenseNetGen.Cli.Sharding;

/// <summary>
/// `densenet test --merge`: shards add up to the full run's result only when they evaluated the same weights on the
/// same images, cut the same way, and cover every slice exactly once; anything else is refused in one line.
/// </summary>
internal static class ShardMerge
{
    /// <summary>The whole evaluation's result, and the first shard (for the model, weights and shard count).</summary>
    /// <exception cref="InvalidDataException">The shards are not one evaluation, cover a slice twice or leave one out.</exception>
    public static (EvaluationResult Result, ShardFile First) Merge(IReadOnlyList<(string Path, ShardFile Shard)> shards)
    {
        var (firstPath, first) = shards[0];
        var seen = new string?[first.Shards];
        foreach (var (path, shard) in shards)
        {
            if (shard.ModelFingerprint != first.ModelFingerprint)
                throw new InvalidDataException($"{path} evaluated other weights than {firstPath} ({shard.Weights} against {first.Weights}).");
            if (shard.DataFingerprint != first.DataFingerprint || shard.Images != first.Images)
                throw new InvalidDataException($"{path} evaluated other images than {firstPath} ({shard.Images} from {shard.Data} against {first.Images} from {first.Data}).");
            if (shard.Shards != first.Shards)
                throw new InvalidDataException($"{path} is a shard of {shard.Shards} but {firstPath} one of {first.Shards}.");
            if (seen[shard.Shard] is { } earlier)
                throw new InvalidDataException($"{path} and {earlier} are both shard {shard.Shard}/{shard.Shards}.");
            seen[shard.Shard] = path;
        }
        var missing = Enumerable.Range(0, first.Shards).Where(i => seen[i] is null).ToArray();
        if (missing.Length > 0)
            throw new InvalidDataException(
                $"shard{(missing.Length == 1 ? "" : "s")} {string.Join(", ", missing.Take(10).Select(i => $"{i}/{first.Shards}"))}{(missing.Length > 10 ? ", …" : "")} " +
                $"of {first.Model} on {first.Images} images {(missing.Length == 1 ? "is" : "are")} missing.");
        var result = new EvaluationResult(
            shards.Sum(s => s.Shard.Count), shards.Sum(s => s.Shard.Top1), shards.Sum(s => s.Shard.Top5),
            TimeSpan.FromSeconds(shards.Sum(s => s.Shard.Seconds)));
        return (result, first);
    }
}
