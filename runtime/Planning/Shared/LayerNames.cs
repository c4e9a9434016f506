// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
namespace DenseNetGen.Planning;

/// <summary>
/// torchvision's DenseNet module names, the canonical parameter names every plan, checkpoint convention and typed
/// layer uses ("features.denseblock2.denselayer3.conv1.weight"). Blocks, layers and transitions count from 1.
///
/// </summary>
internal static class LayerNames
{
    public const string Conv0 = "features.conv0";
    public const string Norm0 = "features.norm0";
    public const string Pool0 = "features.pool0";
    public const string Norm5 = "features.norm5";
    public const string Classifier = "classifier";

    public static string DenseBlock(int block) => "features.denseblock" + block;

    public static string DenseLayer(int block, int layer) => DenseLayer(DenseBlock(block), layer);

    public static string DenseLayer(string denseBlock, int layer) => denseBlock + ".denselayer" + layer;

    public static string Transition(int transition) => "features.transition" + transition;

    /// <summary>A dense layer's modules: norm1, conv1, norm2, conv2.</summary>
    public static string Norm1(string layer) => layer + ".norm1";
    public static string Conv1(string layer) => layer + ".conv1";
    public static string Norm2(string layer) => layer + ".norm2";
    public static string Conv2(string layer) => layer + ".conv2";

    /// <summary>A transition's modules: norm, conv.</summary>
    public static string TransitionNorm(string transition) => transition + ".norm";
    public static string TransitionConv(string transition) => transition + ".conv";

    public static string Weight(string module) => module + ".weight";
    public static string Bias(string module) => module + ".bias";

    /// <summary>Stage names of <see cref="NetworkPlan.Stages"/>.</summary>
    public const string StemStage = "stem";
    public const string HeadStage = "head";

    public static string DenseBlockStage(int block) => "denseblock" + block;

    public static string TransitionStage(int transition) => "transition" + transition;
}
