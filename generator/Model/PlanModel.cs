using DenseNetGen.Planning;

namespace DenseNetGen.Generator.Model
{
    /// <summary>
    /// Everything the emitter writes for one network: the runtime's own <see cref="NetworkPlan"/> and
    /// <see cref="ModelCard"/> (compiled into the generator from the runtime's sources), plus the spec values the
    /// generated class exposes as constants.
    /// </summary>
    internal sealed record PlanModel(
        string? Namespace,
        SourceLocation NameLocation,
        int GrowthRate,
        int BnSize,
        int InitChannels,
        double Compression,
        StemKind Stem,
        EquatableArray<int> BlockConfig,
        NetworkPlan Plan,
        ModelCard Card)
    {
        public string Name => Plan.Name;

        /// <summary>Identifies the generated class; two specs with the same key collide.</summary>
        public string FullName => Namespace is null ? Name : Namespace + "." + Name;
    }
}
