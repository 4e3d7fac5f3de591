#!/usr/bin/env bash
#===- gpu-check.sh - the GPU suite on a machine with an NVIDIA GPU -----------===#
#
# Builds attn-mlir (scripts/common.sh), then on the first CUDA device:
#   1. assembles the PTX tests (lit: test/Pipelines/gpu-pipeline-ptxas*);
#   2. runs the GPU execution cases of test/Integration/GPU on the device
#      (attn-run --backend=cuda against the float64 reference evaluator);
#   3. times attention on the device (attn-run --benchmark; f32 FMA and f16
#      tensor-core kernels) and prints GFLOP/s per shape, for
#      docs/benchmarks.md.
# Without a GPU it stops after the build with the runtime's reason. Meant to
# finish in a few minutes; docs/gpu.md says what it checks.
#
# Usage: scripts/gpu-check.sh
#
#===------------------------------------------------------------------------===#

set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

attn_setup

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L; then
  attn_log "no NVIDIA GPU found (nvidia-smi): nothing to check on a device"
  exit 1
fi

lit=/usr/lib/llvm-22/bin/lit
"$lit" -sv --filter "Pipelines/gpu-pipeline-ptxas" "$ATTN_BUILD_DIR/test"
ATTN_GPU_BACKEND=cuda "$lit" -sv "$ATTN_BUILD_DIR/test/Integration/GPU"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
run="$ATTN_BUILD_DIR/bin/attn-run"
# (B, H, L, D) causal and not: f32 (the FMA mapping) and f16 (tensor
# cores; (1, 16, 4096, 128) is the shape of docs/gpu.md's estimate).
for spec in "f32 1 12 2048 64" "f32 1 16 4096 128" "f16 1 12 2048 64" \
            "f16 1 16 4096 128"; do
  read -r dtype b h l d <<<"$spec"
  for causal in "" "causal"; do
    attrs=""
    [[ -n "$causal" ]] && attrs=" {causal}"
    t="tensor<${b}x${h}x${l}x${d}x${dtype}>"
    cat >"$work/a.mlir" <<MLIR
func.func @main(%q: $t, %k: $t, %v: $t) -> $t {
  %o = attn.attention %q, %k, %v$attrs : $t, $t, $t -> $t
  return %o : $t
}
MLIR
    /usr/bin/python3 - "$work" "$dtype" "$b" "$h" "$l" "$d" <<'PY'
import sys, numpy as np
w, dtype, (b, h, l, d) = sys.argv[1], sys.argv[2], map(int, sys.argv[3:])
rng = np.random.default_rng(0)
for n in "qkv":
    np.save(f"{w}/{n}.npy", rng.standard_normal((b, h, l, d)).astype(
        np.float16 if dtype == "f16" else np.float32))
PY
    echo "== cuda $dtype (B,H,L,D) = ($b,$h,$l,$d) ${causal:-dense}"
    "$run" "$work/a.mlir" --backend=cuda --benchmark=10 \
      --input=@"$work/q.npy" --input=@"$work/k.npy" --input=@"$work/v.npy"
  done
done
echo "gpu-check: done (timings include host<->device copies; docs/gpu.md)"
