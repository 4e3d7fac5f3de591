#!/usr/bin/env bash
#===- demo.sh - the main job of attn-mlir ------------------------------------===#
#
# Sets up and builds everything (scripts/common.sh), then runs the main job:
#
#   1. attn-opt parses and verifies every examples/*.mlir;
#   2. for the demo examples (BERT-base with a padding mask, ViT-B/16
#      self-attention), on seeded random inputs (scripts/demo_inputs.py):
#      - attn-run JIT-compiles the graph for this CPU and runs it;
#      - attn-run --backend=reference runs the same graph in float64;
#      - the result is checked against the reference by the rule of
#        docs/Spec.md 4 (FlashAttention's: max|out - ref| <= 2 max|naive - ref|
#        + 1e-5 max(1, max|ref|), naive = unfused float32 numpy math; both
#        from utils/attn_reference.py) and PASS or FAIL is printed with the
#        errors;
#      - attn-run --benchmark=5 times it (median ms and GFLOP/s).
#
# Exits non-zero when an example does not verify or a check fails. Inputs and
# results go to $ATTN_BUILD_DIR/demo/ and are rewritten on every run.
#
# Usage: scripts/demo.sh            (ATTN_BUILD_DIR overrides <repo>/build;
#                                    ATTN_DEMO_EXAMPLES="name ..." picks the
#                                    examples to run, by file name without .mlir)
#
#===------------------------------------------------------------------------===#

set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

attn_setup

attn_opt="$ATTN_BUILD_DIR/bin/attn-opt"
attn_run="$ATTN_BUILD_DIR/bin/attn-run"
python=/usr/bin/python3 # Debian's interpreter, with numpy
demo_inputs="$ATTN_ROOT/scripts/demo_inputs.py"
read -r -a demo_examples <<<"${ATTN_DEMO_EXAMPLES:-bert_base_padding_mask vit_b16_self_attention}"
threads="$(nproc)"

# Seconds (two decimals) since an $EPOCHREALTIME stamp.
seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

status=0
shopt -s nullglob
examples=("$ATTN_ROOT"/examples/*.mlir)
if ((${#examples[@]} == 0)); then
  attn_log "error: no examples/*.mlir found"
  exit 1
fi

# 1. Parse and verify every example.
echo "=== attn-opt: parse and verify examples/*.mlir"
for example in "${examples[@]}"; do
  if "$attn_opt" "$example" >/dev/null; then
    echo "  ok    ${example#"$ATTN_ROOT"/}"
  else
    attn_log "error: attn-opt rejected ${example#"$ATTN_ROOT"/}"
    status=1
  fi
done

# 2. Compile, run, check against the reference and time the demo examples.
for name in "${demo_examples[@]}"; do
  model="$ATTN_ROOT/examples/$name.mlir"
  dir="$ATTN_BUILD_DIR/demo/$name"
  echo
  echo "=== examples/$name.mlir"
  if [[ ! -f "$model" ]]; then
    attn_log "error: no examples/$name.mlir"
    status=1
    continue
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  inputs=()
  while IFS= read -r path; do
    inputs+=("--input=@$path")
  done < <("$python" "$demo_inputs" gen "$model" "$dir" --seed 0)
  echo "inputs: ${#inputs[@]} seeded random arrays in ${dir#"$ATTN_ROOT"/}/"

  start=$EPOCHREALTIME
  if ! "$attn_run" "$model" --function=main "${inputs[@]}" --num-threads="$threads" \
      --output="@$dir/out.npy"; then
    echo "FAIL $name: attn-run (JIT, cpu) failed"
    status=1
    continue
  fi
  echo "attn-run (JIT, cpu):           compiled and ran in $(seconds_since "$start") s"

  start=$EPOCHREALTIME
  if ! "$attn_run" "$model" --function=main "${inputs[@]}" --backend=reference \
      --output="@$dir/ref.npy"; then
    echo "FAIL $name: attn-run --backend=reference failed"
    status=1
    continue
  fi
  echo "attn-run --backend=reference:  ran in $(seconds_since "$start") s (float64)"

  if ! "$python" "$demo_inputs" check "$model" "$dir" "$dir/out.npy" "$dir/ref.npy"; then
    status=1
    continue
  fi

  if ! bench="$("$attn_run" "$model" --function=main "${inputs[@]}" \
      --num-threads="$threads" --benchmark=5)"; then
    echo "FAIL $name: attn-run --benchmark=5 failed"
    status=1
    continue
  fi
  median="$(sed -nE 's/^ *median +([0-9.]+) ms/\1/p' <<<"$bench")"
  min="$(sed -nE 's/^ *min +([0-9.]+) ms/\1/p' <<<"$bench")"
  max="$(sed -nE 's/^ *max +([0-9.]+) ms/\1/p' <<<"$bench")"
  gflops="$(sed -nE 's/^ *GFLOP\/s +([0-9.]+) .*/\1/p' <<<"$bench")"
  echo "benchmark (5 runs, $threads threads): median $median ms (min $min, max $max), ${gflops:-?} GFLOP/s"
done

echo
if ((status == 0)); then
  echo "demo: ${#examples[@]} example(s) verified; ${#demo_examples[@]} run, checked against the reference: PASS"
else
  echo "demo: FAILED"
fi
exit "$status"
