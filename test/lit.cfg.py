# -*- Python -*-
# lit configuration of the attn-mlir regression suite.

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "ATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".py", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.attn_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%PYTHON", config.python_executable))
config.substitutions.append(("%attn_src_root", config.attn_src_root))
config.substitutions.append(("%llvm_lib_dir", config.llvm_lib_dir))
# The Python package `attn` (python-bindings/): tests of it run with
# PYTHONPATH=%attn_python_packages, as docs/Python.md shows.
config.substitutions.append(
    ("%attn_python_packages", config.attn_python_packages_dir))
if config.attn_enable_python_bindings:
    config.available_features.add("python-bindings")


def _python_has(module):
    """Whether the tests' Python interpreter can import `module`."""
    import subprocess
    try:
        return subprocess.run(
            [config.python_executable, "-c", f"import {module}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


# The ONNX front end (attn.onnx) needs the `onnx` package (Debian's
# python3-onnx, which scripts/common.sh installs); its end-to-end tests
# export models with PyTorch (python3-torch), which is optional: without it
# they are reported UNSUPPORTED.
if _python_has("onnx"):
    config.available_features.add("onnx")
if _python_has("torch"):
    config.available_features.add("torch")

# The clang of the LLVM the project builds against (its IR is read by it).
config.substitutions.append(
    ("%clang", os.path.join(config.llvm_tools_dir, "clang")))

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

# The Python helpers of the tests import the shared numpy reference
# (utils/attn_reference.py).
config.environment["PYTHONPATH"] = os.pathsep.join(
    p for p in [os.path.join(config.attn_src_root, "utils"),
                config.environment.get("PYTHONPATH")] if p)

tool_dirs = [config.attn_tools_dir, config.llvm_tools_dir]
tools = ["attn-opt", "attn-run", "attn-compile", "mlir-runner", "mlir-translate",
         "llvm-nm"]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Features: the host's vector extensions and whether a GPU is present.
try:
    with open("/proc/cpuinfo") as f:
        flags = f.read()
    if " avx512f" in flags:
        config.available_features.add("avx512")
    if " avx512_bf16" in flags:
        config.available_features.add("avx512bf16")
    if " amx_bf16" in flags:
        config.available_features.add("amx")
except OSError:
    pass
if shutil.which("nvidia-smi") and os.path.exists("/dev/nvidia0"):
    config.available_features.add("gpu")
if os.environ.get("ATTN_LONG_TESTS"):
    config.available_features.add("long")
# AddressSanitizer's runtime for clang (Debian's libclang-rt-22-dev).
import glob
if glob.glob(os.path.join(config.llvm_lib_dir, "clang", "*", "lib", "linux",
                          "libclang_rt.asan-x86_64.a")):
    config.available_features.add("asan")
# The opencl backend is built and an OpenCL device (PoCL on the CPU) is
# installed: GPU kernels run on it (test/Integration/GPU).
if config.attn_have_opencl and glob.glob("/etc/OpenCL/vendors/*.icd"):
    config.available_features.add("opencl")
# The cuda backend is built (the CUDA toolkit's cuda.h was found; running
# it still needs a GPU: feature `gpu`).
if config.attn_have_cuda:
    config.available_features.add("cuda-backend")
if os.path.exists("/usr/local/cuda/bin/ptxas"):
    config.available_features.add("ptxas")
