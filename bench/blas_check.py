# Part of the attn-mlir project.
"""Warns when numpy and PyTorch would run Debian's reference BLAS.

Debian's numpy and python3-torch call the system `libblas.so.3`, which is
the reference BLAS (about 1-3 GF/s on a 1024^3 sgemm) unless
`libopenblas0-pthread` is installed: an OpenBLAS or PyTorch anchor would
then look 20-30x slower than it is. Both installs are optional for the
project, so the benchmarks check instead of failing.
"""

import os
import sys

_LIBBLAS = "/usr/lib/x86_64-linux-gnu/libblas.so.3"


def warn_if_reference_blas():
    """Prints a warning to stderr and returns True when libblas.so.3 is not
    OpenBLAS (or cannot be found)."""
    target = os.path.realpath(_LIBBLAS)
    if "openblas" in target:
        return False
    print(f"WARNING: {_LIBBLAS} -> {target} is not OpenBLAS: numpy's and "
          f"PyTorch's matmuls run the reference BLAS and their timings are "
          f"meaningless; install it with `apt-get install -y "
          f"libopenblas0-pthread` (bench/README.md)", file=sys.stderr)
    return True
