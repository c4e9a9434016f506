namespace DenseNetGen.Checkpoints;

/// <summary>
/// A checkpoint key naming scheme, mapped onto the canonical (torchvision) names. The binder tries
/// every convention and keeps the one that maps the most keys onto the model's manifest.
/// </summary>
internal abstract class KeyConvention
{
    /// <summary>In preference order: when two conventions map equally many keys, the first wins.</summary>
    public static IReadOnlyList<KeyConvention> All { get; } = [new TorchvisionConvention(), new TorchvisionLegacyConvention(), new MmpretrainConvention()];

    public abstract string Name { get; }

    /// <summary>A mapper from this convention's keys to canonical names (null for keys it does not know), prepared for one key set.</summary>
    public abstract Func<string, string?> MapperFor(IReadOnlyCollection<string> keys);
}

/// <summary>torchvision's current names, which are the canonical ones (timm uses them too).</summary>
internal sealed class TorchvisionConvention : KeyConvention
{
    public override string Name => "torchvision";

    public override Func<string, string?> MapperFor(IReadOnlyCollection<string> keys) => key => key;
}
