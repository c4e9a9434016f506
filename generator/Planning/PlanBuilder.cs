using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using DenseNetGen.Generator.Model;
using DenseNetGen.Planning;

namespace DenseNetGen.Generator.Planning
{
    /// <summary>The plan for one spec, or the diagnostics that prevent one.</summary>
    internal sealed record PlanResult(PlanModel? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Lays out a spec as the runtime's plan (buffers, ops, stages, the torchvision-ordered parameter manifest)
    /// and its model card (preprocessing, labels, parameter and FLOP counts, stages), built from the runtime's own
    /// types, layer names and size arithmetic.
    /// </summary>
    /// <remarks>
    /// <para>
    /// FlopCount describes the reference architecture (torchvision/mmpretrain, transition conv before
    /// its average pool), not the plan's cheaper pool-before-conv order, and follows the counting
    /// convention of mmcv's <c>get_model_complexity_info</c>, which produced mmpretrain's model-zoo
    /// table: a conv counts its multiply-accumulates; an eval BatchNorm with affine parameters 2 per
    /// element; a ReLU 1 per element; max, average and global pooling 1 per input element; the
    /// classifier's Linear is left out, as in mmpretrain's metafile. That reproduces the metafile's
    /// integers exactly (2,881,695,488 / 3,416,860,160 / 4,365,236,736 / 7,816,363,968 for
    /// DenseNet-121/169/201/161 at 224; the table's 2.88G / 3.42G / 4.37G / 7.82G). Counting only conv
    /// and linear MACs gives torchvision's 2.83 / 3.36 / 4.29 / 7.73 instead.
    /// </para>
    /// </remarks>
    internal sealed class PlanBuilder
    {
        private const long MaxParameters = 1L << 31;

        private readonly NetworkSpec _spec;
        private readonly List<DiagnosticInfo> _diagnostics = new();
        private readonly List<PlanOp> _ops = new();
        private readonly List<ParameterInfo> _parameters = new();
        private readonly List<PlanStage> _stages = new();
        private readonly List<StageInfo> _stageInfos = new();
        private long _parameterCount;
        private long _macs;
        private int _normBuffer;
        private int _normChannels;

        private PlanBuilder(NetworkSpec spec) => _spec = spec;

        public static PlanResult Build(NetworkSpec spec, string? ns)
        {
            var builder = new PlanBuilder(spec);
            var plan = builder.Build(ns);
            return new PlanResult(plan, builder._diagnostics.ToEquatableArray());
        }

        private PlanModel? Build(string? ns)
        {
            var s = _spec;
            int blocks = s.BlockConfig.Count;
            int bottleneck = s.BnSize * s.GrowthRate;

            // Buffer layout (see NetworkPlan): input, one per block, shared scratch, [stem], features, logits.
            const int input = 0;
            int Block(int b) => 1 + b;
            int norm = _normBuffer = 1 + blocks, bottleneckBuffer = norm + 1;
            int stem = s.Stem == StemKind.ImageNet ? bottleneckBuffer + 1 : -1;
            int features = (stem >= 0 ? stem : bottleneckBuffer) + 1, logits = features + 1;

            var blockChannels = new int[blocks];
            long size = s.InputSize; // spatial size of the reference network
            bool sizeOk = true;

            var stemConv = AddConv(input, 0, s.InChannels, s.Stem == StemKind.ImageNet ? stem : Block(0), 0, s.InitChannels,
                s.Stem == StemKind.ImageNet ? 7 : 3, s.Stem == StemKind.ImageNet ? 2 : 1, s.Stem == StemKind.ImageNet ? 3 : 1,
                LayerNames.Conv0, null, s.Stem == StemKind.ImageNet ? LayerNames.Norm0 : null, ref size, ref sizeOk, LayerNames.Conv0);
            string stemDescription = $"conv {stemConv.Kernel}x{stemConv.Kernel}/{stemConv.Stride}";
            if (s.Stem == StemKind.ImageNet)
            {
                _macs += 3 * s.InitChannels * size * size; // norm0 + relu0
                _macs += s.InitChannels * size * size;     // pool0 reads every element
                var pool = new MaxPoolOp(stem, s.InitChannels, Block(0), Kernel: 3, Stride: 2, Padding: 1);
                _ops.Add(pool);
                size = Output(pool, size);
                sizeOk &= CheckSize(size, LayerNames.Pool0);
                stemDescription += $", maxpool {pool.Kernel}x{pool.Kernel}/{pool.Stride}";
            }
            EndStage(LayerNames.StemStage, 0, s.InChannels, s.InitChannels, stemDescription);

            int channels = s.InitChannels;
            for (int b = 0; b < blocks; b++)
            {
                int layers = s.BlockConfig[b], blockInput = channels;
                blockChannels[b] = channels + layers * s.GrowthRate;
                for (int l = 0; l < layers; l++)
                {
                    string layer = LayerNames.DenseLayer(b + 1, l + 1);
                    AddBatchNormRelu(Block(b), channels, norm, LayerNames.Norm1(layer), PoolKind.None, size);
                    AddConv(norm, 0, channels, bottleneckBuffer, 0, bottleneck, 1, 1, 0, LayerNames.Conv1(layer), null, LayerNames.Norm2(layer), ref size, ref sizeOk, layer);
                    _macs += 3 * bottleneck * size * size; // norm2 + relu2
                    AddConv(bottleneckBuffer, 0, bottleneck, Block(b), channels, s.GrowthRate, 3, 1, 1, LayerNames.Conv2(layer), null, null, ref size, ref sizeOk, layer);
                    channels += s.GrowthRate;
                }
                EndStage(LayerNames.DenseBlockStage(b + 1), layers, blockInput, channels,
                    "BN-ReLU-conv1x1-BN-ReLU-conv3x3 each, concatenated in place");
                if (b == blocks - 1) break;

                string transition = LayerNames.Transition(b + 1);
                int reduced = (int)Math.Floor(channels * s.Compression);
                if (reduced < 1)
                {
                    Report(DiagnosticDescriptors.CompressionOutOfRange, s.CompressionLocation,
                        $"{s.Compression.ToString("R", CultureInfo.InvariantCulture)} leaves {transition} with no output channels");
                    return null;
                }
                var pool = AddBatchNormRelu(Block(b), channels, norm, LayerNames.TransitionNorm(transition), PoolKind.Average2x2, size);
                // The plan pools before the 1x1 conv; the reference convolves at full size, then pools.
                string convWeight = LayerNames.Weight(LayerNames.TransitionConv(transition));
                _ops.Add(new ConvOp(norm, 0, channels, Block(b + 1), 0, reduced, Kernel: 1, Stride: 1, Padding: 0, convWeight, null, null, Relu: false));
                AddParameter(convWeight, reduced, channels, 1, 1);
                _macs += (long)reduced * channels * size * size + reduced * size * size; // conv + avg pool input
                size = Output(pool, size);
                sizeOk &= CheckSize(size, transition + ".pool");
                EndStage(LayerNames.TransitionStage(b + 1), 0, channels, reduced, "BN-ReLU, avgpool 2x2, conv1x1 (pool first: they commute)");
                channels = reduced;
            }

            AddBatchNormRelu(Block(blocks - 1), channels, features, LayerNames.Norm5, PoolKind.Global, size);
            _macs += channels * size * size; // global pool input
            int featureOpCount = _ops.Count;
            string classifierWeight = LayerNames.Weight(LayerNames.Classifier), classifierBias = LayerNames.Bias(LayerNames.Classifier);
            _ops.Add(new ConvOp(features, 0, channels, logits, 0, s.NumClasses, Kernel: 1, Stride: 1, Padding: 0, classifierWeight, classifierBias, null, Relu: false));
            AddParameter(classifierWeight, s.NumClasses, channels);
            AddParameter(classifierBias, s.NumClasses);
            EndStage(LayerNames.HeadStage, 0, channels, s.NumClasses, "norm5, ReLU, global average pool, linear");

            if (_parameterCount > MaxParameters)
            {
                Report(DiagnosticDescriptors.TooManyParameters, s.NameLocation, s.Name, _parameterCount.ToString("N0", CultureInfo.InvariantCulture));
                return null;
            }
            if (!sizeOk) return null;

            var buffers = new List<PlanBuffer> { new("input", s.InChannels) };
            for (int b = 0; b < blocks; b++) buffers.Add(new PlanBuffer($"block{b + 1}", blockChannels[b]));
            buffers.Add(new PlanBuffer("norm", _normChannels));
            buffers.Add(new PlanBuffer("bottleneck", bottleneck));
            if (stem >= 0) buffers.Add(new PlanBuffer("stem", s.InitChannels));
            buffers.Add(new PlanBuffer("features", channels));
            buffers.Add(new PlanBuffer("logits", s.NumClasses));

            var plan = new NetworkPlan(s.Name, s.InChannels, s.InputSize, s.NumClasses, channels, buffers.ToArray(), _ops.ToArray(),
                featureOpCount, features, logits, _parameters.ToArray(), _stages.ToArray());
            var card = new ModelCard(s.Name, s.Preprocess, s.Labels, _parameterCount, _macs, _stageInfos.ToArray(), s.ClassNames?.ToArray());
            return new PlanModel(ns, s.NameLocation, s.GrowthRate, s.BnSize, s.InitChannels, s.Compression, s.Stem, s.BlockConfig, plan, card);
        }

        /// <summary>Closes the stage that began where the previous one ended, at the ops added so far.</summary>
        private void EndStage(string name, int layers, int inChannels, int outChannels, string description)
        {
            int first = _stages.Count == 0 ? 0 : _stages[_stages.Count - 1].FirstOp + _stages[_stages.Count - 1].OpCount;
            _stages.Add(new PlanStage(name, first, _ops.Count - first));
            _stageInfos.Add(new StageInfo(name, layers, inChannels, outChannels, description));
        }

        private ConvOp AddConv(
            int source, int sourceOffset, int inChannels, int destination, int destinationOffset, int outChannels,
            int kernel, int stride, int padding, string module, string? bias, string? foldedNorm, ref long size, ref bool sizeOk, string where)
        {
            string weight = LayerNames.Weight(module);
            var conv = new ConvOp(source, sourceOffset, inChannels, destination, destinationOffset, outChannels,
                kernel, stride, padding, weight, bias, foldedNorm, Relu: foldedNorm is not null);
            _ops.Add(conv);
            AddParameter(weight, outChannels, inChannels, kernel, kernel);
            size = Output(conv, size);
            sizeOk &= CheckSize(size, where);
            _macs += (long)outChannels * size * size * inChannels * kernel * kernel;
            if (foldedNorm is not null) AddNormParameters(foldedNorm, outChannels);
            return conv;
        }

        private BatchNormReluOp AddBatchNormRelu(int source, int channels, int destination, string norm, PoolKind pool, long size)
        {
            var op = new BatchNormReluOp(source, 0, channels, destination, norm, pool);
            _ops.Add(op);
            AddNormParameters(norm, channels);
            _macs += 3L * channels * size * size; // BN 2 + ReLU 1 per element
            if (destination == _normBuffer) _normChannels = Math.Max(_normChannels, channels);
            return op;
        }

        private void AddNormParameters(string prefix, int channels)
        {
            AddParameter(LayerNames.Weight(prefix), channels);
            AddParameter(LayerNames.Bias(prefix), channels);
            // Running statistics are checkpoint tensors but not learnable parameters.
            _parameters.Add(new ParameterInfo(prefix + ".running_mean", new[] { channels }));
            _parameters.Add(new ParameterInfo(prefix + ".running_var", new[] { channels }));
        }

        private void AddParameter(string name, params int[] shape)
        {
            _parameters.Add(new ParameterInfo(name, shape));
            long count = 1;
            foreach (int d in shape) count *= d;
            _parameterCount += count;
        }

        /// <summary>The side an op makes of a square <paramref name="size"/>, by the runtime's own window arithmetic; 0 when nothing is left.</summary>
        private static long Output(PlanOp op, long size) => Math.Max(0, op.Window((int)size, (int)size).OutputHeight((int)size));

        private bool CheckSize(long size, string where)
        {
            if (size >= 1) return true;
            // Only the first layer that runs out of pixels is worth reporting.
            if (!_diagnostics.Exists(d => d.Descriptor == DiagnosticDescriptors.InputTooSmall))
                Report(DiagnosticDescriptors.InputTooSmall, _spec.InputSizeLocation, _spec.InputSize.ToString(CultureInfo.InvariantCulture), where);
            return false;
        }

        private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceLocation location, params string[] arguments) =>
            _diagnostics.Add(DiagnosticInfo.Create(descriptor, location, arguments));
    }
}
