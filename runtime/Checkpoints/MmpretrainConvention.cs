using System.Globalization;
using System.Text.RegularExpressions;
using DenseNetGen.Planning;

namespace DenseNetGen.Checkpoints;

/// <summary>
/// mmpretrain / mmcls ImageClassifier names (mmpretrain/models/backbones/densenet.py + LinearClsHead):
/// backbone.stem.0 = conv0, backbone.stem.1 = norm0; backbone.stages.N.block.M.{norm1,conv1,norm2,conv2}
/// = denseblock(N+1).denselayer(M+1); backbone.transitions.N.{norm,conv} = transition(N+1) for every
/// stage but the last, whose transition is Sequential(BN, ReLU), so backbone.transitions.LAST.0 = norm5;
/// head.fc = classifier.
/// </summary>
internal sealed partial class MmpretrainConvention : KeyConvention
{
    public override string Name => "mmpretrain";

    public override Func<string, string?> MapperFor(IReadOnlyCollection<string> keys)
    {
        var last = keys.Select(k => Stage().Match(k)).Where(m => m.Success).Select(m => Index(m.Groups[1])).DefaultIfEmpty(-1).Max();
        return key => Map(key, last);
    }

    private static string? Map(string key, int lastStage)
    {
        if (Stem().Match(key) is { Success: true } stem)
            return (stem.Groups[1].Value == "0" ? LayerNames.Conv0 : LayerNames.Norm0) + "." + stem.Groups[2].Value;
        if (Layer().Match(key) is { Success: true } layer)
            return LayerNames.DenseLayer(Next(layer.Groups[1]), Next(layer.Groups[2])) + "." + layer.Groups[3].Value;
        if (Transition().Match(key) is { Success: true } transition && Index(transition.Groups[1]) != lastStage)
            return LayerNames.Transition(Next(transition.Groups[1])) + "." + transition.Groups[2].Value;
        if (FinalNorm().Match(key) is { Success: true } norm && Index(norm.Groups[1]) == lastStage)
            return LayerNames.Norm5 + "." + norm.Groups[2].Value;
        if (Head().Match(key) is { Success: true } head)
            return LayerNames.Classifier + "." + head.Groups[1].Value;
        return null;
    }

    private static int Next(Group index) => Index(index) + 1;

    // The patterns match [0-9]{1,4} only (never \d, which takes any Unicode digit), so this cannot fail.
    private static int Index(Group digits) =>
        int.TryParse(digits.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

    [GeneratedRegex(@"^backbone\.stages\.([0-9]{1,4})\.")]
    private static partial Regex Stage();

    [GeneratedRegex(@"^backbone\.stem\.([01])\.(\w+)$")]
    private static partial Regex Stem();

    [GeneratedRegex(@"^backbone\.stages\.([0-9]{1,4})\.block\.([0-9]{1,4})\.((?:norm|conv)[12]\.\w+)$")]
    private static partial Regex Layer();

    [GeneratedRegex(@"^backbone\.transitions\.([0-9]{1,4})\.((?:norm|conv)\.\w+)$")]
    private static partial Regex Transition();

    [GeneratedRegex(@"^backbone\.transitions\.([0-9]{1,4})\.0\.(\w+)$")]
    private static partial Regex FinalNorm();

    [GeneratedRegex(@"^head\.fc\.(weight|bias)$")]
    private static partial Regex Head();
}
