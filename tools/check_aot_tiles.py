#!/usr/bin/python3
"""Fails when a register tile of the SIMD backend makes a call in a NativeAOT image.

A register tile keeps its accumulators in vector registers across its whole loop; any call inside it (a helper the
compiler did not inline) makes it spill them, and it then loads and stores every accumulator on every step. The JIT
inlines such helpers, so only an AOT image shows it: on 2026-12-05 NativeAOT had left `MicroKernel.Rows` a call inside
the 1x1 GEMM's tile, and the 1x1 convs ran at 29% of the FMA peak against 68% under the JIT (benchmarks/README.md).
Checks the tiles of the width the image runs at, WIDTH as the device line names it ("Vector512", "Vector256",
"Vector128", or one of them with ", no FMA"; an image also holds the other widths' code, in software where its
instruction set lacks them), from IMAGE.dbg (as `dotnet publish -p:PublishAot=true` writes it), with binutils' nm and
objdump.

Usage: tools/check_aot_tiles.py IMAGE WIDTH   (exit 1 when a tile makes a call, or the image has none to check)
"""
import re
import subprocess
import sys

PREFIX = "DenseNetGen_Runtime_DenseNetGen_Backends_Simd_"
# Every 1x1 GEMM tile, and the direct conv's tiles at fused widths. The unfused direct conv tiles (Unfused<TVec>, no
# FMA) have calls in their stores after the loop (Count.Value and Emit: the inliner's budget runs out on the extra
# layer), which spill the accumulators once a tile, not on every step; they are left out rather than held to a rule
# they break.
def tiles(vector):
    v = re.escape(vector)
    conv = "" if vector.startswith(PREFIX + "Unfused") else f"|Kernels_ConvTile__Run<{v}__"
    return re.compile(f"MicroKernel_1<{v}>__Gemm<{conv}")


def vector_type(width):
    """The vector type's symbol for a device line's width: "Vector128, no FMA" is Unfused<Vec128>."""
    match = re.fullmatch(r"Vector(512|256|128)(, no FMA)?", width)
    if not match:
        sys.exit(f"check_aot_tiles: WIDTH is Vector512, Vector256 or Vector128, with or without ', no FMA'; got '{width}'")
    vec = PREFIX + "Vec" + match.group(1)
    return f"{PREFIX}Unfused_1<{vec}>" if match.group(2) else vec


# Calls that end the process rather than return: the stack cookie's check before a tile that stackallocs returns.
NEVER_RETURN = {"RhpFallbackFailFast"}


def main(image, width):
    pattern = tiles(vector_type(width))
    symbols = subprocess.run(["nm", "-n", image + ".dbg"], capture_output=True, text=True, check=True).stdout.splitlines()
    addresses = [(int(line.split()[0], 16), line) for line in symbols if re.match(r"[0-9a-f]+ [tT] ", line)]
    names = {address: line.split(" ", 2)[2] for address, line in addresses}
    count, calling = 0, []
    for i, (start, line) in enumerate(addresses):
        if not pattern.search(line):
            continue
        end = next((a for a, _ in addresses[i + 1:] if a > start), None)
        if end is None:
            continue
        count += 1
        code = subprocess.run(["objdump", "-d", "--no-show-raw-insn", f"--start-address={start:#x}",
                               f"--stop-address={end:#x}", image], capture_output=True, text=True, check=True).stdout
        targets = [re.search(r"\tcall\s+([0-9a-f]+)", row) for row in code.splitlines() if "\tcall" in row]
        if any(t is None or names.get(int(t.group(1), 16)) not in NEVER_RETURN for t in targets):
            calling.append(line.split(" ", 2)[2])
    if count == 0:
        print(f"check_aot_tiles: no {width} register tile found in {image}.dbg", file=sys.stderr)
        return 1
    for name in calling:
        print(f"check_aot_tiles: {name} makes a call", file=sys.stderr)
    print(f"check_aot_tiles: {count} {width} register tiles, {len(calling)} with a call")
    return 1 if calling else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    sys.exit(main(sys.argv[1], sys.argv[2]))
