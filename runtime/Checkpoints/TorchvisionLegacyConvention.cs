using System.Text.RegularExpressions;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// torchvision's 2017 checkpoints (densenet121-a639ec97.pth…) name dense-layer modules "norm.1", "conv.2";
/// torchvision's own loader rewrites them to "norm1", "conv2" with this pattern.
/// </summary>
internal sealed partial class TorchvisionLegacyConvention : KeyConvention
{
    public override string Name => "torchvision-legacy";

    public override Func<string, string?> MapperFor(IReadOnlyCollection<string> keys) =>
        key => LegacyLayerKey().Match(key) is { Success: true } m ? m.Groups[1].Value + m.Groups[2].Value : key;

    [GeneratedRegex(@"^(.*denselayer[0-9]+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$")]
    private static partial Regex LegacyLayerKey();
}
