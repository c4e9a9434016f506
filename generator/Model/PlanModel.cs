namespace DenseNetGen.Generator.Model
{
    /// <summary>
    /// Everything the emitter writes for one network: the generator-side mirror of the runtime's
    /// NetworkPlan, plus the spec values the generated class exposes.
    /// </summary>
    internal sealed record PlanModel(
        string? Namespace,
        string Name,
        SourceLocation NameLocation,
        int InChannels,
        int InputSize,
        int NumClasses,
        int FeatureChannels,
        int GrowthRate,
        int BnSize,
        int InitChannels,
        double Compression,
        StemKind Stem,
        EquatableArray<int> BlockConfig,
        EquatableArray<BufferModel> Buffers,
        EquatableArray<OpModel> Ops,
        int FeatureOpCount,
        int FeatureBuffer,
        int OutputBuffer,
        EquatableArray<ParameterModel> Parameters,
        PreprocessSpec Preprocess,
        string? Labels,
        long ParameterCount,
        long MacCount)
    {
        /// <summary>Identifies the generated class; two specs with the same key collide.</summary>
        public string FullName => Namespace is null ? Name : Namespace + "." + Name;
    }

    internal sealed record BufferModel(string Name, int Channels);

    internal sealed record ParameterModel(string Name, EquatableArray<int> Shape);

    /// <summary>One plan op; the subtypes mirror the runtime's PlanOp records field for field.</summary>
    internal abstract record OpModel;

    internal sealed record ConvOpModel(
        int Source, int SourceChannelOffset, int InChannels,
        int Destination, int DestinationChannelOffset, int OutChannels,
        int Kernel, int Stride, int Padding,
        string Weight, string? Bias, string? FoldedNorm, bool Relu) : OpModel;

    internal enum PoolKindModel
    {
        None,
        Average2x2,
        Global,
    }

    internal sealed record BatchNormReluOpModel(
        int Source, int SourceChannelOffset, int Channels,
        int Destination, string Norm, PoolKindModel Pool) : OpModel;

    internal sealed record MaxPoolOpModel(
        int Source, int Channels, int Destination,
        int Kernel, int Stride, int Padding) : OpModel;
}
