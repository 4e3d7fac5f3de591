#!/usr/bin/env python3
"""Writes the bytes of the first gpu.object of a gpu.binary to a file.

Usage: extract_gpu_binary.py INPUT.mlir OUTPUT

INPUT is what `mlir-opt --gpu-module-to-binary` prints: the object's payload
is an MLIR string attribute, in which printable characters stand for
themselves and every other byte is written as a backslash and two hex
digits (llvm::printEscapedString).
"""

import re
import sys


def unescape(text):
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] != "\\":
            out += text[i].encode("latin-1")
            i += 1
        elif text[i + 1] == "\\":
            out.append(0x5C)
            i += 2
        else:
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
    return bytes(out)


def main():
    source, target = sys.argv[1:3]
    with open(source, encoding="latin-1") as f:
        text = f.read()
    match = re.search(r'#gpu\.object<.*?"((?:[^"\\]|\\.)*)"', text, re.S)
    if not match:
        sys.exit(f"{source}: no gpu.object with a string payload")
    with open(target, "wb") as f:
        f.write(unescape(match.group(1)))


if __name__ == "__main__":
    main()
