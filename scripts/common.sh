#!/usr/bin/env bash
#===- common.sh - shared set-up of demo.sh and test.sh ----------------------===#
#
# Sourced, not run. Installs the Debian packages the build needs (only those
# missing), then configures and builds attn-mlir with CMake and Ninja. Every
# step is idempotent: a second run installs nothing and rebuilds only what
# changed (ccache, when installed, is picked up by CMakeLists.txt).
#
# Environment:
#   ATTN_BUILD_DIR   build directory (default: <repo>/build)
#   ATTN_CMAKE_ARGS  extra arguments for the first configure, e.g.
#                    "-DCMAKE_BUILD_TYPE=Debug"
#   ATTN_SANITIZE    sanitizers for a separate build (default directory
#                    <repo>/build-sanitize), e.g. "address,undefined":
#                    `ATTN_SANITIZE=address,undefined scripts/test.sh` runs the
#                    whole suite on tools built with them (-DATTN_SANITIZE)
#
#===------------------------------------------------------------------------===#

ATTN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${ATTN_SANITIZE:-}" ]]; then
  ATTN_BUILD_DIR="${ATTN_BUILD_DIR:-$ATTN_ROOT/build-sanitize}"
  ATTN_CMAKE_ARGS="${ATTN_CMAKE_ARGS:-} -DATTN_SANITIZE=$ATTN_SANITIZE"
  # Our instrumented code poisons the memory of LLVM's allocators (LLVM's
  # headers do so under ASan) that the uninstrumented libLLVM/libMLIR then
  # use: without allow_user_poisoning=0 that mix reports false
  # use-after-poison errors. Leaks are not checked (the tools exit without
  # freeing their MLIR contexts).
  export ASAN_OPTIONS="${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=0}"
  export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
fi
ATTN_BUILD_DIR="${ATTN_BUILD_DIR:-$ATTN_ROOT/build}"

# LLVM/MLIR 22 under /usr/lib/llvm-22, the test and benchmark libraries, the
# Python headers and numpy for the bindings, the build tools, and onnx for
# the ONNX front end (attn.onnx and its tests; PyTorch is optional); for the
# opencl backend, the OpenCL headers and ICD loader, PoCL (OpenCL on the CPU),
# llvm-spirv-15 (SPIR-V to the SPIR bitcode PoCL loads), spirv-tools and
# clinfo (docs/Runtime.md, "GPU runtimes").
ATTN_APT_PACKAGES=(
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools clang-22 libomp-22-dev
  libgtest-dev libbenchmark-dev pybind11-dev python3-dev python3-numpy
  ninja-build ccache cmake libxtensor-dev libclang-rt-22-dev python3-onnx
  ocl-icd-opencl-dev opencl-c-headers pocl-opencl-icd llvm-spirv-15
  spirv-tools clinfo
)

attn_log() { echo "[attn] $*" >&2; }

# Installs the packages of ATTN_APT_PACKAGES that dpkg does not report as
# installed; does nothing (and needs no network) when all are there.
attn_install_packages() {
  local missing=() pkg
  for pkg in "${ATTN_APT_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
        grep -q 'ok installed'; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    attn_log "all ${#ATTN_APT_PACKAGES[@]} required packages are installed"
    return 0
  fi
  local sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null; then
      attn_log "error: missing packages (${missing[*]}); run as root or install them"
      return 1
    fi
    sudo=(sudo)
  fi
  attn_log "installing missing packages: ${missing[*]}"
  "${sudo[@]}" apt-get update
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y "${missing[@]}"
}

# Configures ATTN_BUILD_DIR with Ninja on the first run; later runs let CMake
# re-check the existing configuration.
attn_configure() {
  if [[ -f "$ATTN_BUILD_DIR/CMakeCache.txt" ]]; then
    if ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$ATTN_BUILD_DIR/CMakeCache.txt"; then
      attn_log "error: $ATTN_BUILD_DIR was configured with another generator than Ninja;"
      attn_log "       remove it or set ATTN_BUILD_DIR to another directory"
      return 1
    fi
    cmake -S "$ATTN_ROOT" -B "$ATTN_BUILD_DIR" >/dev/null
    return
  fi
  attn_log "configuring $ATTN_BUILD_DIR"
  # shellcheck disable=SC2086 # ATTN_CMAKE_ARGS is a list of words.
  cmake -G Ninja -S "$ATTN_ROOT" -B "$ATTN_BUILD_DIR" ${ATTN_CMAKE_ARGS:-} >/dev/null
}

# Builds the given targets (default: everything).
attn_build() {
  attn_log "building in $ATTN_BUILD_DIR"
  ninja -C "$ATTN_BUILD_DIR" "$@"
}

# The whole set-up: packages, configure, build everything.
attn_setup() {
  attn_install_packages
  attn_configure
  attn_build all
}
