#!/usr/bin/python3
"""Writes small PyTorch reference cases for the runtime's kernel tests to tests/references/kernels/.

Each case is a JSON file {"tensors": {name: {"shape": [...], "data": [...]}}} holding the inputs, the parameters
under the names the hand-built test plans use, and the torch.nn.functional outputs. Run with /usr/bin/python3
(torch 1.13). Deterministic: the same file contents every run.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "references", "kernels")
EPS = 1e-5


def rand(*shape):
    return torch.rand(*shape, dtype=torch.float64) * 2 - 1


def bn_params(prefix, channels):
    return {
        prefix + ".weight": torch.rand(channels, dtype=torch.float64) + 0.5,
        prefix + ".bias": rand(channels) * 0.2,
        prefix + ".running_mean": rand(channels) * 0.2,
        prefix + ".running_var": torch.rand(channels, dtype=torch.float64) + 0.5,
    }


def bn(x, t, prefix):
    return F.batch_norm(x, t[prefix + ".running_mean"], t[prefix + ".running_var"],
                        t[prefix + ".weight"], t[prefix + ".bias"], training=False, eps=EPS)


def conv_weight(out, inp, k):
    return rand(out, inp, k, k) * (6.0 / (inp * k * k)) ** 0.5


def save(name, tensors):
    # Inputs and parameters are rounded to float32 first so C# and torch see the same values; outputs are
    # computed in float64 from those and stored as float32.
    doc = {"tensors": {k: {"shape": list(v.shape), "data": [number(x) for x in v.float().flatten().tolist()]}
                       for k, v in tensors.items()}}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))


def number(x):
    # JSON has no NaN or infinity: those are written as the strings .NET's float.Parse reads.
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return float(f"{x:.9g}")


def f32(tensors):
    return {k: v.float().double() for k, v in tensors.items()}


def conv_case(name, n, cin, h, w, cout, k, stride, pad, fold=False, relu=False, bias=False, extra_sizes=()):
    t = {"input": rand(n, cin, h, w), "conv.weight": conv_weight(cout, cin, k)}
    if bias:
        t["conv.bias"] = rand(cout) * 0.2
    if fold:
        t.update(bn_params("bn", cout))
    for i, (eh, ew) in enumerate(extra_sizes):
        t[f"input{i + 2}"] = rand(n, cin, eh, ew)
    t = f32(t)

    def forward(x):
        y = F.conv2d(x, t["conv.weight"], t.get("conv.bias"), stride=stride, padding=pad)
        if fold:
            y = bn(y, t, "bn")
        return F.relu(y) if relu else y

    t["output"] = forward(t["input"])
    for i in range(len(extra_sizes)):
        t[f"output{i + 2}"] = forward(t[f"input{i + 2}"])
    save(name, t)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(20240611)

    conv_case("conv1x1", 2, 5, 7, 9, 6, 1, 1, 0)
    conv_case("conv1x1_bias_folded_relu", 2, 8, 5, 5, 10, 1, 1, 0, fold=True, relu=True, bias=True)
    conv_case("conv3x3_pad1", 1, 6, 9, 11, 5, 3, 1, 1)
    conv_case("conv7x7_s2_p3_folded_relu", 2, 3, 13, 15, 8, 7, 2, 3, fold=True, relu=True, extra_sizes=[(21, 18), (5, 6)])

    # Channel offsets: two convs read different channel ranges of a 7-channel input and write channels
    # [0, 3) and [3, 7) of a 9-channel buffer, as a dense layer appends to its block.
    t = f32({"input": rand(2, 7, 6, 5), "a.weight": conv_weight(3, 2, 1), "b.weight": conv_weight(4, 5, 3)})
    a = F.conv2d(t["input"][:, 0:2], t["a.weight"])
    b = F.conv2d(t["input"][:, 2:7], t["b.weight"], padding=1)
    t["output"] = torch.cat([a, b], dim=1)
    save("conv_channel_offsets", t)

    # BatchNorm+ReLU reading channels [2, 8) of an 8-channel input.
    t = f32({"input": rand(2, 8, 5, 7), **bn_params("norm", 6)})
    t["output"] = F.relu(bn(t["input"][:, 2:8], t, "norm"))
    save("bn_relu", t)

    t = f32({"input": rand(2, 4, 7, 9), **bn_params("norm", 4)})
    t["output"] = F.avg_pool2d(F.relu(bn(t["input"], t, "norm")), 2)
    save("bn_relu_avg2x2", t)

    t = f32({"input": rand(2, 5, 6, 7), **bn_params("norm", 5)})
    t["output"] = F.adaptive_avg_pool2d(F.relu(bn(t["input"], t, "norm")), 1)
    save("bn_relu_global", t)

    t = f32({"input": rand(2, 3, 9, 11)})
    t["output"] = F.max_pool2d(t["input"], 3, stride=2, padding=1)
    save("maxpool3x3_s2_p1", t)

    # The head: BatchNorm+ReLU+global pool gives features, a Linear gives logits.
    t = f32({"input": rand(3, 20, 3, 5), **bn_params("norm5", 20),
             "classifier.weight": rand(7, 20) * (1 / 20) ** 0.5, "classifier.bias": rand(7) * 0.1})
    features = F.adaptive_avg_pool2d(F.relu(bn(t["input"], t, "norm5")), 1).flatten(1)
    t["features"] = features
    t["output"] = F.linear(features, t["classifier.weight"], t["classifier.bias"])
    save("head_linear", t)

    # Every later group starts from this point of the random stream, so a group added later changes no other
    # group's files.
    state = torch.get_rng_state()
    fused_cases()
    torch.set_rng_state(state)
    simd_cases()
    torch.set_rng_state(state)
    halo_cases()
    torch.set_rng_state(state)
    winograd_cases()
    torch.set_rng_state(state)
    pointwise_cases()
    torch.set_rng_state(state)
    narrow_map_cases()
    torch.set_rng_state(state)
    non_finite_cases()


def fused_cases():
    # A dense layer as the plan runs it, in place in its block: norm1 + ReLU, 1x1 conv with norm2 folded + ReLU,
    # 3x3 conv appending 8 channels at channel 16 of a 24-channel block. Channels 16..23 of the input are stale
    # values the layer overwrites. Sized so the GPU set splits the 3x3 conv's K (32·9 rows) on a one-core device.
    t = f32({"input": rand(2, 24, 5, 6), **bn_params("norm1", 16), "conv1.weight": conv_weight(32, 16, 1),
             **bn_params("norm2", 32), "conv2.weight": conv_weight(8, 32, 3)})
    x = t["input"][:, 0:16]
    y = F.relu(bn(F.conv2d(F.relu(bn(x, t, "norm1")), t["conv1.weight"]), t, "norm2"))
    t["output"] = torch.cat([x, F.conv2d(y, t["conv2.weight"], padding=1)], dim=1)
    save("dense_layer", t)

    # A transition: norm + ReLU, then the 1x1 conv and 2x2 average pool (odd sizes floor).
    t = f32({"input": rand(2, 12, 9, 7), **bn_params("norm", 12), "conv.weight": conv_weight(6, 12, 1)})
    t["output"] = F.avg_pool2d(F.conv2d(F.relu(bn(t["input"], t, "norm")), t["conv.weight"]), 2)
    save("transition", t)


def sliced_input(t, in_offset, cin):
    """Channels [in_offset, in_offset + cin) of t's input, through its BN-ReLU prologue (scale, shift) when t has one."""
    x = t["input"][:, in_offset:in_offset + cin]
    if "prologue.scale" in t:
        x = F.relu(x * t["prologue.scale"].view(1, -1, 1, 1) + t["prologue.shift"].view(1, -1, 1, 1))
    return x


def simd_conv_case(name, n, source_channels, in_offset, cin, h, w, cout, k, stride, pad, relu, prologue=False):
    """A conv reading channels [in_offset, in_offset + cin) of a wider source, with bias (a folded BatchNorm's) and
    optionally a per-input-channel BN-ReLU prologue given as scale and shift; the padding is zero after the prologue."""
    t = {"input": rand(n, source_channels, h, w), "conv.weight": conv_weight(cout, cin, k), "conv.bias": rand(cout) * 0.2}
    if prologue:
        t["prologue.scale"] = torch.rand(cin, dtype=torch.float64) + 0.5
        # Shifts mostly positive so relu(shift), the prologue of a padded zero, is not zero.
        t["prologue.shift"] = torch.rand(cin, dtype=torch.float64) * 0.6 - 0.1
    t = f32(t)
    x = sliced_input(t, in_offset, cin)
    y = F.conv2d(x, t["conv.weight"], t["conv.bias"], stride=stride, padding=pad)
    t["output"] = F.relu(y) if relu else y
    save(name, t)


def simd_cases():
    # The SIMD backend's blocked kernels (runtime/Backends/Simd/Kernels): odd channel counts at odd offsets, widths
    # that split into uneven register tiles, every stem shape and a generic kernel/stride/padding.
    simd_conv_case("simd_conv3x3_offsets", 1, 45, 5, 37, 6, 17, 12, 3, 1, 1, relu=True)
    simd_conv_case("simd_conv3x3_wide_out", 1, 17, 0, 17, 7, 7, 48, 3, 1, 1, relu=False)
    simd_conv_case("simd_conv7x7_s2_p3_stem", 2, 3, 0, 3, 23, 29, 20, 7, 2, 3, relu=True)
    simd_conv_case("simd_conv3x3_one_channel_stem", 2, 1, 0, 1, 12, 12, 24, 3, 1, 1, relu=True)
    simd_conv_case("simd_conv3x3_prologue", 2, 26, 3, 20, 5, 6, 6, 3, 1, 1, relu=False, prologue=True)
    simd_conv_case("simd_conv5x5_s3_p2_prologue", 1, 19, 17, 2, 11, 13, 33, 5, 3, 2, relu=True, prologue=True)

    for name, c, h, w, k, s, p in [("simd_maxpool3x3_s2_p1", 9, 11, 13, 3, 2, 1), ("simd_maxpool2x2_s2", 21, 8, 9, 2, 2, 0),
                                   ("simd_maxpool3x3_s1_p1", 17, 6, 5, 3, 1, 1)]:
        t = f32({"input": rand(2, c, h, w)})
        t["output"] = F.max_pool2d(t["input"], k, stride=s, padding=p)
        save(name, t)

    # Rows wider than one tile's column range (64 output columns): cut into ranges of near-equal width.
    simd_conv_case("simd_conv7x7_s2_p3_wide_rows", 1, 3, 0, 3, 9, 150, 10, 7, 2, 3, relu=True)
    simd_conv_case("simd_conv3x3_wide_rows_prologue", 1, 9, 3, 5, 3, 130, 7, 3, 1, 1, relu=False, prologue=True)


def halo_cases():
    # A layer without bottleneck (norm, ReLU, 3x3 conv) for the GPU set's haloed 3x3 kernel: a 19x21 map is 3x2
    # blocks of 8x16 with partial ones at both edges, 40 output channels are two channel tiles (the second partial),
    # 20 input channels are steps of 8, 8 and 4, read at channel 2 of a 22-channel source, with a bias.
    t = f32({"input": rand(2, 22, 19, 21), **bn_params("norm", 20), "conv.weight": conv_weight(40, 20, 3),
             "conv.bias": rand(40) * 0.2})
    t["output"] = F.conv2d(F.relu(bn(t["input"][:, 2:22], t, "norm")), t["conv.weight"], t["conv.bias"], padding=1)
    save("norm_conv3x3", t)


def winograd_cases():
    # The SIMD backend's Winograd 3x3 convs (runtime/Backends/Simd/Winograd): maps that are no multiple of either
    # tile (2x2, 4x4) so edge tiles hang over, two images so tiles are numbered across the batch, input and output
    # channels at offsets inside 16-channel blocks, and more output channels than one panel.
    simd_conv_case("simd_winograd3x3_edges", 2, 40, 3, 35, 13, 10, 40, 3, 1, 1, relu=True)
    # A dense layer's 3x3 conv at DenseNet-121's last block: a bottleneck of 128 channels, 32 appended at 992 of a
    # 1,024-channel block, on a 7x7 map.
    simd_conv_case("simd_winograd3x3_bottleneck7x7", 1, 128, 0, 128, 7, 7, 32, 3, 1, 1, relu=False)


def simd_pointwise_case(name, n, source_channels, in_offset, cin, h, w, cout, relu, prologue, average):
    """A 1x1 conv reading channels [in_offset, in_offset + cin) of a wider source, with bias, optionally after a
    per-input-channel BN-ReLU prologue (scale and shift) and a 2x2 average pool (a transition; odd sizes floor)."""
    t = {"input": rand(n, source_channels, h, w), "conv.weight": conv_weight(cout, cin, 1), "conv.bias": rand(cout) * 0.2}
    if prologue:
        t["prologue.scale"] = torch.rand(cin, dtype=torch.float64) + 0.5
        t["prologue.shift"] = torch.rand(cin, dtype=torch.float64) * 0.6 - 0.3
    t = f32(t)
    x = sliced_input(t, in_offset, cin)
    if average:
        x = F.avg_pool2d(x, 2)
    y = F.conv2d(x, t["conv.weight"], t["conv.bias"])
    t["output"] = F.relu(y) if relu else y
    save(name, t)


def pointwise_cases():
    # The SIMD backend's 1x1 GEMM (runtime/Backends/Simd/Gemm): pixel counts that are no multiple of either
    # micro-kernel's rows (14 at 512 bits, 6 at 256 and 128), input slots that end inside a 16-channel block and
    # start at an offset inside one, output channels over several panels and across a block boundary.
    simd_pointwise_case("simd_pointwise_offsets", 2, 45, 5, 37, 4, 5, 40, relu=True, prologue=True, average=False)
    simd_pointwise_case("simd_pointwise_transition", 2, 24, 0, 20, 9, 11, 10, relu=False, prologue=True, average=True)
    simd_pointwise_case("simd_pointwise_aligned_few_pixels", 1, 40, 16, 16, 3, 1, 5, relu=True, prologue=False, average=False)
    simd_pointwise_case("simd_pointwise_average_wide_out", 1, 8, 2, 6, 4, 6, 33, relu=False, prologue=False, average=True)
    # A prologue on input slots that start in the source's second block (channels 19..48, slots 3..32 of blocks from 16).
    simd_pointwise_case("simd_pointwise_prologue_second_block", 1, 50, 19, 30, 3, 5, 7, relu=False, prologue=True, average=False)


def narrow_map_cases():
    # Output widths whose register tiles the other direct conv cases never run (1, 2 and 10 pixels; 19 splits into
    # 10 + 9 at 512 bits, 5 + 5 + 5 + 4 at 256 and 128), and a pool whose last range of rows would run past the map
    # (7 rows in ranges of 2).
    for w in (1, 2, 10, 19):
        simd_conv_case(f"simd_conv3x3_width{w}", 2, 6, 1, 4, 5, w, 20, 3, 1, 1, relu=True)
    t = f32({"input": rand(2, 20, 7, 4)})
    t["output"] = F.max_pool2d(t["input"], 3, stride=1, padding=1)
    save("simd_maxpool3x3_s1_p1_odd_rows", t)
    # A 3x3 conv reading channels 19..48: its input slots start in the source's second block.
    simd_conv_case("simd_conv3x3_second_block", 2, 50, 19, 30, 6, 7, 20, 3, 1, 1, relu=False)
    # The widest register tile, 14 pixels, with both vectors of 32 output channels.
    simd_conv_case("simd_conv3x3_width14", 1, 5, 0, 5, 3, 14, 32, 3, 1, 1, relu=True)


def non_finite_cases():
    # A max pool over NaN and ±∞: a window holding a NaN is NaN wherever the NaN sits among its taps (before or after
    # larger values), +∞ wins, a −∞ tap among finite ones changes nothing, and a window of only −∞ is −∞.
    t = f32({"input": rand(2, 19, 9, 11)})
    x = t["input"]
    x[0, 0, 0, 0] = math.nan      # a window's first tap
    x[0, 3, 4, 5] = math.nan      # the middle row of two windows: the last column of one, the first of the next
    x[1, 18, 8, 10] = math.nan    # the last tap of the map's last window
    x[0, 7, 2, 2] = math.inf
    x[1, 2, 5, 1] = -math.inf     # among finite taps
    x[1, 2, 3:6, 3:6] = -math.inf  # output (2, 2)'s whole window
    x[1, 9, 3, 3] = math.inf
    x[1, 9, 3, 4] = math.nan       # NaN beside +∞
    t["output"] = F.max_pool2d(x, 3, stride=2, padding=1)
    save("simd_maxpool3x3_s2_p1_non_finite", t)


if __name__ == "__main__":
    main()
