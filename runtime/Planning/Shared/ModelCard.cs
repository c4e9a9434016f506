// Compiled into the generator too (generator/DenseNetGen.Generator.csproj links this folder): netstandard2.0 and
// the C# the generator's compiler takes, no .NET 10 APIs; the runtime and the generator compute with this one copy.
using System.Collections.Generic;

namespace DenseNetGen.Planning;

/// <summary>
/// What a network is, for people and for the image pipeline: everything about a model that is not needed to run
/// its plan. Emitted by the generator next to the plan (<c>Card</c> beside <c>Definition</c>). Equality is by value.
/// </summary>
/// <param name="Name">The class name from the spec.</param>
/// <param name="Preprocess">How images are turned into the input tensor.</param>
/// <param name="Labels">Built-in label set name ("imagenet1k", "fashion-mnist") or null for numbered classes.</param>
/// <param name="ParameterCount">Total learnable parameters (BN running statistics excluded).</param>
/// <param name="FlopCount">
/// FLOPs at the plan's input size as mmpretrain reports them (mmcv's counter: conv multiply-accumulates, BN 2, ReLU
/// and pooling 1 per element, classifier left out).
/// </param>
/// <param name="Stages">One entry per stage of the plan (<see cref="NetworkPlan.Stages"/>), in the same order.</param>
/// <param name="ClassNames">
/// The spec's own class names, one per logit (its <c>"labels"</c> given inline or as a file); null when it names a
/// built-in set in <paramref name="Labels"/> or none. The generator checked their count against the classes.
/// </param>
public sealed record ModelCard(
    string Name,
    PreprocessInfo Preprocess,
    string? Labels,
    long ParameterCount,
    long FlopCount,
    IReadOnlyList<StageInfo> Stages,
    IReadOnlyList<string>? ClassNames = null)
{
    /// <summary>True when every member is equal, <see cref="Stages"/> element by element.</summary>
    public bool Equals(ModelCard? other) =>
        other is not null && Name == other.Name && Preprocess.Equals(other.Preprocess) && Labels == other.Labels &&
        ParameterCount == other.ParameterCount && FlopCount == other.FlopCount && ValueEquality.Equal(Stages, other.Stages) &&
        (ClassNames is null ? other.ClassNames is null : other.ClassNames is not null && ValueEquality.Equal(ClassNames, other.ClassNames));

    /// <summary>A hash consistent with <see cref="Equals(ModelCard?)"/>.</summary>
    public override int GetHashCode() => (Name, ParameterCount, FlopCount).GetHashCode();
}

/// <summary>A stage as `densenet info --model` shows it.</summary>
/// <param name="Name">The stage's name, as in <see cref="PlanStage.Name"/>.</param>
/// <param name="InChannels">Channels the stage reads.</param>
/// <param name="OutChannels">Channels the stage produces.</param>
/// <param name="Layers">Dense layers in a dense block; 0 for other stages.</param>
/// <param name="Description">What the stage computes, e.g. "conv 7x7/2, maxpool 3x3/2".</param>
public sealed record StageInfo(string Name, int Layers, int InChannels, int OutChannels, string Description);
