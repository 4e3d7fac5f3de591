#!/usr/bin/env python3
"""Writes the device code embedded in the gpu.binary ops of an MLIR module.

Usage: gpu_objects.py MODULE.mlir OUTDIR

`--attn-gpu-pipeline` ends with gpu-module-to-binary, which stores each
kernel module as a `#gpu.object<target, ..., "bytes">` (`assembly = "..."`
for PTX). This writes OUTDIR/<binary name>.<ptx|spv|bin> per object and
prints the paths, so that lit tests can hand PTX to ptxas.
"""
import os
import re
import sys


def unescape(text):
    """MLIR string literal bytes: \\XX hex escapes, \\\\ and \\"."""
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            nxt = text[i + 1]
            if nxt in "\\\"":
                out.append(ord(nxt))
                i += 2
            else:
                out.append(int(text[i + 1:i + 3], 16))
                i += 3
        else:
            out.extend(c.encode())
            i += 1
    return bytes(out)


def main():
    source, outdir = sys.argv[1], sys.argv[2]
    text = open(source).read()
    os.makedirs(outdir, exist_ok=True)
    found = 0
    for binary in re.finditer(r'gpu\.binary @(\w+)\s*\[(.*?)\]\s*$', text,
                              re.M | re.S):
        name, objects = binary.group(1), binary.group(2)
        for obj in re.finditer(
                r'#gpu\.object<#(\w+)\..*?\b(assembly|bin|fatbin|offload)'
                r'\s*=\s*"((?:[^"\\]|\\.)*)"', objects, re.S):
            kind = obj.group(1)
            ext = {"nvvm": "ptx" if obj.group(2) == "assembly" else "bin",
                   "spirv": "spv"}.get(kind, "bin")
            path = os.path.join(outdir, "%s.%s" % (name, ext))
            with open(path, "wb") as f:
                f.write(unescape(obj.group(3)))
            print(path)
            found += 1
    if not found:
        sys.exit("no gpu.binary objects in " + source)


if __name__ == "__main__":
    main()
