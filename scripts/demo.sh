#!/usr/bin/env bash
#===- demo.sh - the main job of attn-mlir ------------------------------------===#
#
# Sets up and builds everything (scripts/common.sh), then runs the main job:
# attn-opt parses, verifies and prints every examples/*.mlir.
#
# Usage: scripts/demo.sh            (ATTN_BUILD_DIR overrides <repo>/build)
#
#===------------------------------------------------------------------------===#

set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

attn_setup

attn_opt="$ATTN_BUILD_DIR/bin/attn-opt"
status=0
shopt -s nullglob
examples=("$ATTN_ROOT"/examples/*.mlir)
if ((${#examples[@]} == 0)); then
  attn_log "error: no examples/*.mlir found"
  exit 1
fi
for example in "${examples[@]}"; do
  echo "=== ${example#"$ATTN_ROOT"/}"
  if ! "$attn_opt" "$example"; then
    attn_log "error: attn-opt rejected ${example#"$ATTN_ROOT"/}"
    status=1
  fi
done

if ((status == 0)); then
  echo "demo: ${#examples[@]} example(s) parsed, verified and printed"
else
  echo "demo: FAILED"
fi
exit "$status"
