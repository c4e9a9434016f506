// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
using System.Collections.Generic;

namespace DenseNetGen.Planning;

/// <summary>
/// The static execution plan of one network, computed by the source generator from a spec and
/// emitted as a constant into the generated class. The runtime interprets it; it holds no
/// DenseNet topology logic of its own. What describes the model to people (preprocessing, labels,
/// sizes) is its <see cref="ModelCard"/>.
/// </summary>
/// <remarks>
/// Buffers are NCHW float tensors whose channel count is fixed by the plan and whose spatial size
/// follows from the input's height and width as the ops are walked (see <see cref="PlanOp"/>).
/// Buffer 0 is always the network input. Each dense block owns one buffer sized for the block's
/// final channel count; every dense layer writes its new channels at its offset, so the
/// concatenation costs nothing. Equality is by value, lists element by element.
/// </remarks>
/// <param name="Name">The class name from the spec.</param>
/// <param name="InChannels">Channels of the input image.</param>
/// <param name="InputSize">The spec's default square input size.</param>
/// <param name="NumClasses">Number of logits.</param>
/// <param name="FeatureChannels">Channels of the pooled pre-logit features.</param>
/// <param name="Buffers">Every buffer, indexed by the ops.</param>
/// <param name="Ops">The ops in execution order.</param>
/// <param name="FeatureOpCount">How many leading ops produce <paramref name="FeatureBuffer"/>.</param>
/// <param name="FeatureBuffer">Buffer holding pooled features [N, FeatureChannels, 1, 1].</param>
/// <param name="OutputBuffer">Buffer holding logits [N, NumClasses, 1, 1].</param>
/// <param name="Parameters">Every parameter in canonical (torchvision) naming, in state_dict order.</param>
/// <param name="Stages">torchvision's stages (stem, dense blocks, transitions, head) as consecutive op ranges covering every op; empty for hand-built plans.</param>
public sealed record NetworkPlan(
    string Name,
    int InChannels,
    int InputSize,
    int NumClasses,
    int FeatureChannels,
    IReadOnlyList<PlanBuffer> Buffers,
    IReadOnlyList<PlanOp> Ops,
    int FeatureOpCount,
    int FeatureBuffer,
    int OutputBuffer,
    IReadOnlyList<ParameterInfo> Parameters,
    IReadOnlyList<PlanStage> Stages)
{
    /// <summary>True when every member is equal, the lists element by element (a record's default would compare them by reference).</summary>
    public bool Equals(NetworkPlan? other) =>
        other is not null && Name == other.Name && InChannels == other.InChannels && InputSize == other.InputSize &&
        NumClasses == other.NumClasses && FeatureChannels == other.FeatureChannels && FeatureOpCount == other.FeatureOpCount &&
        FeatureBuffer == other.FeatureBuffer && OutputBuffer == other.OutputBuffer &&
        ValueEquality.Equal(Buffers, other.Buffers) && ValueEquality.Equal(Ops, other.Ops) &&
        ValueEquality.Equal(Parameters, other.Parameters) && ValueEquality.Equal(Stages, other.Stages);

    /// <summary>A hash consistent with <see cref="Equals(NetworkPlan?)"/>, from the name, sizes and ops.</summary>
    public override int GetHashCode() => (Name, InChannels, NumClasses, ValueEquality.Hash(Ops)).GetHashCode();
}

/// <summary>A plan buffer: a named NCHW tensor with a fixed channel capacity.</summary>
/// <param name="Name">Name shown in diagnostics, e.g. "denseblock1".</param>
/// <param name="Channels">Channel capacity; the spatial size follows from the input's.</param>
public sealed record PlanBuffer(string Name, int Channels);

/// <summary>One stage of the network: ops [<paramref name="FirstOp"/>, <paramref name="FirstOp"/> + <paramref name="OpCount"/>).</summary>
/// <param name="Name">"stem", "denseblock1", "transition1", ..., "head" (see <c>LayerNames</c>).</param>
/// <param name="FirstOp">Index of the stage's first op in <see cref="NetworkPlan.Ops"/>.</param>
/// <param name="OpCount">Number of consecutive ops in the stage.</param>
public sealed record PlanStage(string Name, int FirstOp, int OpCount);

/// <summary>One checkpoint tensor the network needs, in canonical (torchvision) naming.</summary>
/// <param name="Name">Canonical name, e.g. "features.denseblock1.denselayer1.conv1.weight".</param>
/// <param name="Shape">PyTorch's shape, outermost dimension first (a conv weight is [out, in, k, k]).</param>
public sealed record ParameterInfo(string Name, IReadOnlyList<int> Shape)
{
    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>True when the names are equal and the shapes are equal element by element.</summary>
    public bool Equals(ParameterInfo? other) => other is not null && Name == other.Name && ValueEquality.Equal(Shape, other.Shape);

    /// <summary>A hash consistent with <see cref="Equals(ParameterInfo?)"/>.</summary>
    public override int GetHashCode() => (Name, ValueEquality.Hash(Shape)).GetHashCode();

    /// <summary>The name and shape as error messages show them, e.g. "classifier.weight [1000, 1024]".</summary>
    public override string ToString() => $"{Name} [{string.Join(", ", Shape)}]";
}
