using System;
using System.Collections.Generic;
using System.Globalization;
using DenseNetGen.Generator.Model;

namespace DenseNetGen.Generator.Planning
{
    /// <summary>The plan for one spec, or the diagnostics that prevent one.</summary>
    internal sealed record PlanResult(PlanModel? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Lays out a spec as the runtime's plan: buffers, ops, the torchvision-ordered parameter manifest,
    /// and the network's size (parameters and multiply-accumulates).
    /// </summary>
    /// <remarks>
    /// <para>
    /// MacCount describes the reference architecture (torchvision/mmpretrain, transition conv before
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
        private readonly List<OpModel> _ops = new();
        private readonly List<ParameterModel> _parameters = new();
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

            AddConv(input, 0, s.InChannels, s.Stem == StemKind.ImageNet ? stem : Block(0), 0, s.InitChannels,
                s.Stem == StemKind.ImageNet ? 7 : 3, s.Stem == StemKind.ImageNet ? 2 : 1, s.Stem == StemKind.ImageNet ? 3 : 1,
                "features.conv0", null, s.Stem == StemKind.ImageNet ? "features.norm0" : null, ref size, ref sizeOk, "features.conv0");
            if (s.Stem == StemKind.ImageNet)
            {
                _macs += 3 * s.InitChannels * size * size; // norm0 + relu0
                _macs += s.InitChannels * size * size;     // pool0 reads every element
                _ops.Add(new MaxPoolOpModel(stem, s.InitChannels, Block(0), 3, 2, 1));
                size = ConvSize(size, 3, 2, 1);
                sizeOk &= CheckSize(size, "features.pool0");
            }

            int channels = s.InitChannels;
            for (int b = 0; b < blocks; b++)
            {
                string blockName = $"features.denseblock{b + 1}";
                int layers = s.BlockConfig[b];
                blockChannels[b] = channels + layers * s.GrowthRate;
                for (int l = 0; l < layers; l++)
                {
                    string layer = $"{blockName}.denselayer{l + 1}";
                    AddBatchNormRelu(Block(b), channels, norm, layer + ".norm1", PoolKindModel.None, size);
                    AddConv(norm, 0, channels, bottleneckBuffer, 0, bottleneck, 1, 1, 0, layer + ".conv1", null, layer + ".norm2", ref size, ref sizeOk, layer);
                    _macs += 3 * bottleneck * size * size; // norm2 + relu2
                    AddConv(bottleneckBuffer, 0, bottleneck, Block(b), channels, s.GrowthRate, 3, 1, 1, layer + ".conv2", null, null, ref size, ref sizeOk, layer);
                    channels += s.GrowthRate;
                }
                if (b == blocks - 1) break;

                string transition = $"features.transition{b + 1}";
                int reduced = (int)Math.Floor(channels * s.Compression);
                if (reduced < 1)
                {
                    Report(DiagnosticDescriptors.CompressionOutOfRange, s.CompressionLocation,
                        $"{s.Compression.ToString("R", CultureInfo.InvariantCulture)} leaves {transition} with no output channels");
                    return null;
                }
                AddBatchNormRelu(Block(b), channels, norm, transition + ".norm", PoolKindModel.Average2x2, size);
                // The plan pools before the 1x1 conv; the reference convolves at full size, then pools.
                var conv = new ConvOpModel(norm, 0, channels, Block(b + 1), 0, reduced, 1, 1, 0, transition + ".conv.weight", null, null, false);
                _ops.Add(conv);
                AddParameter(transition + ".conv.weight", reduced, channels, 1, 1);
                _macs += (long)reduced * channels * size * size + reduced * size * size; // conv + avg pool input
                size /= 2;
                sizeOk &= CheckSize(size, transition + ".pool");
                channels = reduced;
            }

            AddBatchNormRelu(Block(blocks - 1), channels, features, "features.norm5", PoolKindModel.Global, size);
            _macs += channels * size * size; // global pool input
            int featureOpCount = _ops.Count;
            _ops.Add(new ConvOpModel(features, 0, channels, logits, 0, s.NumClasses, 1, 1, 0, "classifier.weight", "classifier.bias", null, false));
            AddParameter("classifier.weight", s.NumClasses, channels);
            AddParameter("classifier.bias", s.NumClasses);

            if (_parameterCount > MaxParameters)
            {
                Report(DiagnosticDescriptors.TooManyParameters, s.NameLocation, s.Name, _parameterCount.ToString("N0", CultureInfo.InvariantCulture));
                return null;
            }
            if (!sizeOk) return null;

            var buffers = new List<BufferModel> { new("input", s.InChannels) };
            for (int b = 0; b < blocks; b++) buffers.Add(new BufferModel($"block{b + 1}", blockChannels[b]));
            buffers.Add(new BufferModel("norm", _normChannels));
            buffers.Add(new BufferModel("bottleneck", bottleneck));
            if (stem >= 0) buffers.Add(new BufferModel("stem", s.InitChannels));
            buffers.Add(new BufferModel("features", channels));
            buffers.Add(new BufferModel("logits", s.NumClasses));

            return new PlanModel(
                ns, s.Name, s.NameLocation, s.InChannels, s.InputSize, s.NumClasses, channels, s.GrowthRate, s.BnSize, s.InitChannels,
                s.Compression, s.Stem, s.BlockConfig, buffers.ToEquatableArray(), _ops.ToEquatableArray(), featureOpCount, features, logits,
                _parameters.ToEquatableArray(), s.Preprocess, s.Labels, _parameterCount, _macs);
        }

        private void AddConv(
            int source, int sourceOffset, int inChannels, int destination, int destinationOffset, int outChannels,
            int kernel, int stride, int padding, string prefix, string? bias, string? foldedNorm, ref long size, ref bool sizeOk, string where)
        {
            string weight = prefix + ".weight";
            _ops.Add(new ConvOpModel(source, sourceOffset, inChannels, destination, destinationOffset, outChannels,
                kernel, stride, padding, weight, bias, foldedNorm, foldedNorm is not null));
            AddParameter(weight, outChannels, inChannels, kernel, kernel);
            size = ConvSize(size, kernel, stride, padding);
            sizeOk &= CheckSize(size, where);
            _macs += (long)outChannels * size * size * inChannels * kernel * kernel;
            if (foldedNorm is not null) AddNormParameters(foldedNorm, outChannels);
        }

        private void AddBatchNormRelu(int source, int channels, int destination, string norm, PoolKindModel pool, long size)
        {
            _ops.Add(new BatchNormReluOpModel(source, 0, channels, destination, norm, pool));
            AddNormParameters(norm, channels);
            _macs += 3L * channels * size * size; // BN 2 + ReLU 1 per element
            if (destination == _normBuffer) _normChannels = Math.Max(_normChannels, channels);
        }

        private void AddNormParameters(string prefix, int channels)
        {
            AddParameter(prefix + ".weight", channels);
            AddParameter(prefix + ".bias", channels);
            // Running statistics are checkpoint tensors but not learnable parameters.
            _parameters.Add(new ParameterModel(prefix + ".running_mean", new EquatableArray<int>(new[] { channels })));
            _parameters.Add(new ParameterModel(prefix + ".running_var", new EquatableArray<int>(new[] { channels })));
        }

        private void AddParameter(string name, params int[] shape)
        {
            _parameters.Add(new ParameterModel(name, new EquatableArray<int>(shape)));
            long count = 1;
            foreach (int d in shape) count *= d;
            _parameterCount += count;
        }

        private static long ConvSize(long size, int kernel, int stride, int padding) =>
            size + 2 * padding < kernel ? 0 : (size + 2 * padding - kernel) / stride + 1;

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
