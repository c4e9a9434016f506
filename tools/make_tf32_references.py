#!/usr/bin/python3
"""Writes the references of the TF32 path's tests (run with /usr/bin/python3: numpy, torch 1.13). Deterministic.

tests/references/tf32/rounding.json
    {"cases": [{"what": ..., "bits": fp32 bit pattern, "rounded": expected pattern}]}: PTX's cvt.rna.tf32.f32
    (round to nearest with 10 mantissa bits, ties away from zero; the low 13 bits of the result are zero; the
    fp32 exponent range, subnormals included; overflow gives Inf) computed here independently of the runtime's
    bit trick: in float64 arithmetic, |x| / ulp rounded half up, times ulp. NaN and Inf stay as they are.

tests/references/kernels/tf32_*.json (the kernel reference format of tools/make_kernel_references.py)
    tf32_exact_tiles, tf32_exact_split: convs whose inputs and weights are TF32 values (few-bit fractions) and
        whose sums are exact in fp32, so a TF32 conv must reproduce "output" exactly: any fragment index error
        shows. Shapes: two channel tiles and two pixel tiles, both partial, 3 K steps (the last partial); and one
        tile whose 9 K steps split in two on a one-multiprocessor device. Small: the CPU accelerator's warp
        shuffles are OS thread barriers. These two are 3x3 convs, which run as the haloed TF32 conv;
        tf32_exact_gemm_tiles and tf32_exact_gemm_split (1x1) cover the tiled GEMM, tf32_exact_halo_split the
        haloed conv's split.
    tf32_tiles: the first shape with ordinary values: "output" (FP32 reference), "output_tf32" (operands rounded
        to TF32, sums in float64) and "output_abs" (the conv of |x| and |w|, for the rounding bound).
    tf32_dense_layer, tf32_transition: kernels/dense_layer.json and transition.json (inputs and parameters as
        they are) with "output_tf32": every conv operand rounded to TF32 where the GPU kernel rounds it, after the
        prologue (BatchNorm scale and shift as float32, applied in float32 as the kernel does) and after folding
        BatchNorms into weights (in float64, stored as float32, as runtime/Execution/BatchNormFolding.cs does).
"""
import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F

from make_kernel_references import EPS, save  # the kernel reference format, written where its cases are

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
KERNELS = os.path.join(ROOT, "tests", "references", "kernels")
TF32 = os.path.join(ROOT, "tests", "references", "tf32")


def bits_of(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def float_of(bits):
    return struct.unpack("<f", struct.pack("<I", bits))[0]


def rna_tf32(x):
    """cvt.rna.tf32.f32 of the float32 value x, as a float (float32 value)."""
    if math.isnan(x) or math.isinf(x) or x == 0.0:
        return x
    m = abs(x)
    # The ulp of a TF32 value in x's binade: 2^(e - 10); below the normal range the spacing stays 2^(-126 - 10).
    e = max(math.frexp(m)[1] - 1, -126)
    ulp = math.ldexp(1.0, e - 10)
    r = math.floor(m / ulp + 0.5) * ulp  # m / ulp is exact in float64; +0.5 then floor rounds ties up (away)
    if r >= 2.0 ** 128:
        return math.copysign(math.inf, x)
    return math.copysign(r, x)


def rna_tensor(t):
    """Elementwise rna_tf32 of a float tensor (any dtype holding float32 values), as float64."""
    flat = t.detach().double().flatten().tolist()
    return torch.tensor([rna_tf32(float(np.float32(v))) for v in flat], dtype=torch.float64).reshape(t.shape)


def rounding_cases():
    cases = []

    def add(what, bits):
        cases.append({"what": what, "bits": bits, "rounded": bits_of(rna_tf32(float_of(bits))) if not math.isnan(float_of(bits)) else bits})

    for sign in (0, 0x8000_0000):
        s = "-" if sign else "+"
        add(s + "zero", sign)
        add(s + "one", sign | 0x3F80_0000)
        for low in (0x0FFF, 0x1000, 0x1001, 0x1FFF):
            add(f"{s}1 + 0x{low:x} ulp32 (tie is 0x1000)", sign | 0x3F80_0000 | low)
            add(f"{s}odd TF32 mantissa + 0x{low:x}", sign | 0x3F80_2000 | low)
        add(s + "mantissa carry into the exponent", sign | 0x3FFF_F000)
        add(s + "largest TF32 value", sign | 0x7F7F_E000)
        add(s + "below the overflow tie", sign | 0x7F7F_EFFF)
        add(s + "overflow tie to Inf", sign | 0x7F7F_F000)
        add(s + "largest float32 to Inf", sign | 0x7F7F_FFFF)
        add(s + "smallest subnormal", sign | 0x0000_0001)
        add(s + "subnormal below the tie", sign | 0x0000_0FFF)
        add(s + "subnormal tie", sign | 0x0000_1000)
        add(s + "subnormal tie, odd", sign | 0x0000_3000)
        add(s + "largest subnormal to the smallest normal", sign | 0x007F_FFFF)
        add(s + "smallest normal", sign | 0x0080_0000)
        add(s + "Inf", sign | 0x7F80_0000)
        add(s + "NaN", sign | 0x7FC0_0001)
        add(s + "NaN, payload in the low bits", sign | 0x7F80_0001)
    rng = np.random.default_rng(20261129)
    for bits in rng.integers(0, 2 ** 32, 400, dtype=np.uint64).tolist():
        if (bits & 0x7F80_0000) != 0x7F80_0000:
            add("random bits", int(bits))
    for x in (rng.standard_normal(200) * 10.0 ** rng.integers(-6, 6, 200)).astype(np.float32).tolist():
        add("random value", bits_of(x))
    return cases


def load_kernel_case(name):
    with open(os.path.join(KERNELS, name + ".json")) as f:
        doc = json.load(f)
    return {k: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]).double() for k, v in doc["tensors"].items()}


def exact_case(name, gen, n, cin, h, w, cout, k, pad):
    # Multiples of 1/4 in [-2, 2] and of 1/8 in [-1, 1]: TF32 values, products multiples of 1/32 whose sums stay
    # far below 2^24/32, so every partial sum is exact in fp32 in any order.
    x = torch.from_numpy(gen.integers(-8, 9, (n, cin, h, w))).double() / 4
    wt = torch.from_numpy(gen.integers(-8, 9, (cout, cin, k, k))).double() / 8
    save(name, {"input": x, "conv.weight": wt, "output": F.conv2d(x, wt, padding=pad)})


def rounded_case(name, gen, n, cin, h, w, cout, k, pad):
    x = torch.from_numpy(gen.uniform(-1, 1, (n, cin, h, w))).float().double()
    wt = (torch.from_numpy(gen.uniform(-1, 1, (cout, cin, k, k))) * (6.0 / (cin * k * k)) ** 0.5).float().double()
    save(name, {
        "input": x, "conv.weight": wt, "output": F.conv2d(x, wt, padding=pad),
        "output_tf32": F.conv2d(rna_tensor(x), rna_tensor(wt), padding=pad),
        "output_abs": F.conv2d(x.abs(), wt.abs(), padding=pad)})


def scale_shift(t, prefix):
    """BatchNormFolding.ScaleShift: float64 from the float32 parameters."""
    scale = t[prefix + ".weight"] / torch.sqrt(t[prefix + ".running_var"] + EPS)
    return scale, t[prefix + ".bias"] - t[prefix + ".running_mean"] * scale


def prologue(x, t, prefix):
    """The kernel's staging prologue: relu(x·a + b) in float32 with a, b the float32 scale and shift."""
    a, b = (v.float().reshape(1, -1, 1, 1) for v in scale_shift(t, prefix))
    return torch.relu(x.float() * a + b).double()


def dense_layer_tf32():
    t = load_kernel_case("dense_layer")
    x = t["input"][:, 0:16]
    s2, b2 = scale_shift(t, "norm2")
    w1 = (t["conv1.weight"] * s2.reshape(-1, 1, 1, 1)).float().double()  # folded as BatchNormFolding.FoldConv
    y = F.conv2d(rna_tensor(prologue(x, t, "norm1")), rna_tensor(w1), b2.float().double())
    y = torch.relu(y).float().double()  # stored as float32 between the two launches
    z = F.conv2d(rna_tensor(y), rna_tensor(t["conv2.weight"]), padding=1)
    t["output_tf32"] = torch.cat([x, z], dim=1)
    save("tf32_dense_layer", t)


def transition_tf32():
    t = load_kernel_case("transition")
    x = prologue(t["input"], t, "norm").float()
    # The kernel pools first (four float32 adds in row order, times 0.25), then convolves: the conv is linear, so
    # pooling before it is the module's conv-then-pool up to rounding.
    h, w = x.shape[2] // 2, x.shape[3] // 2
    x = x[:, :, : 2 * h, : 2 * w]
    pooled = ((x[:, :, 0::2, 0::2] + x[:, :, 0::2, 1::2]) + x[:, :, 1::2, 0::2] + x[:, :, 1::2, 1::2]) * 0.25
    t["output_tf32"] = F.conv2d(rna_tensor(pooled.double()), rna_tensor(t["conv.weight"]))
    save("tf32_transition", t)


def main():
    os.makedirs(TF32, exist_ok=True)
    with open(os.path.join(TF32, "rounding.json"), "w") as f:
        f.write('{"cases": [\n' + ",\n".join(json.dumps(c) for c in rounding_cases()) + "\n]}\n")
    gen = np.random.default_rng(20261130)
    exact_case("tf32_exact_tiles", gen, 1, 5, 9, 8, 72, 3, 1)
    exact_case("tf32_exact_split", gen, 1, 16, 7, 9, 40, 3, 1)
    rounded_case("tf32_tiles", gen, 1, 5, 9, 8, 72, 3, 1)
    dense_layer_tf32()
    transition_tf32()
    # Drawn after the cases above, so adding these changed none of their files. The 3x3 cases above run as the
    # haloed TF32 conv; these cover the tiled GEMM (1x1: three K steps of 16, the last partial, over two channel
    # and three pixel tiles, all partial; and 9 K steps in one tile, split in two on one multiprocessor) and the
    # haloed conv's split (3 steps of 8 input channels in one block of two stacked 5x6 images).
    exact_case("tf32_exact_gemm_tiles", gen, 2, 40, 9, 8, 72, 1, 0)
    exact_case("tf32_exact_gemm_split", gen, 1, 144, 7, 9, 40, 1, 0)
    exact_case("tf32_exact_halo_split", gen, 2, 20, 5, 6, 24, 3, 1)


if __name__ == "__main__":
    main()
