namespace DenseNetGen.Planning;

/// <summary>
/// One step of a plan as a backend runs it: plan ops <see cref="FirstOp"/>..<see cref="LastOp"/>, that is
/// <see cref="Main"/> alone or with the BatchNormReluOp before it applied as its <see cref="Prologue"/> (the norm's
/// output is never written). Decided once for every backend by <see cref="PlanFusion.Steps"/>.
/// </summary>
/// <param name="FirstOp">The first plan op the step computes: the prologue's, or the main op's.</param>
/// <param name="LastOp">The last plan op the step computes: the main op's.</param>
/// <param name="Prologue">The fused norm (op <see cref="FirstOp"/>), or null when the step is one op.</param>
/// <param name="Main">The op that writes the step's output (op <see cref="LastOp"/>).</param>
internal sealed record PlanStep(int FirstOp, int LastOp, BatchNormReluOp? Prologue, PlanOp Main)
{
    /// <summary>The buffer the step reads: the prologue's source when there is one.</summary>
    public int Source => Prologue?.Source ?? Main.Reads.Buffer;

    /// <summary>The buffer the step writes.</summary>
    public int Destination => Main.Writes.Buffer;
}
