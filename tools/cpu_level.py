#!/usr/bin/python3
"""Prints the widest x86-64 level this CPU has that a level library is built for (x86-64-v4 or x86-64-v3), from the
flags the kernel lists in /proc/cpuinfo; exit 1, printing nothing, when it has neither. The app reads CPUID itself
(X86Level); this is the scripts' independent view of the same CPU. LZCNT, which the kernel calls abm, is not asked
for: this machine's kernel does not list it, though CPUID reports it.

Usage: tools/cpu_level.py
"""
import sys

V3 = {"avx", "avx2", "fma", "bmi1", "bmi2", "movbe", "f16c"}
V4 = V3 | {"avx512f", "avx512dq", "avx512cd", "avx512bw", "avx512vl"}

with open("/proc/cpuinfo") as cpuinfo:
    flags = next((set(line.split(":", 1)[1].split()) for line in cpuinfo if line.startswith("flags")), set())
for level, needs in (("x86-64-v4", V4), ("x86-64-v3", V3)):
    if needs <= flags:
        print(level)
        sys.exit(0)
sys.exit(1)
