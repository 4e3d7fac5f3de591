#!/usr/bin/env bash
#===- test.sh - build attn-mlir and run every test ---------------------------===#
#
# Sets up and builds everything (scripts/common.sh), runs every test through
# ctest (the lit suite of test/ as the test `lit`, plus the unit tests), and
# prints one summary line. Exits non-zero when a test fails.
#
# It also refreshes docs/Dialects/ from ODS (`ninja attn-doc`) and says so
# when the committed copy was stale.
#
# Usage: scripts/test.sh [ctest arguments...]   (e.g. -R lit)
#
#===------------------------------------------------------------------------===#

set -euo pipefail
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

attn_setup

# The generated op/dialect/pass reference: build tree -> docs/Dialects/.
attn_build attn-doc >/dev/null
if command -v git >/dev/null && git -C "$ATTN_ROOT" rev-parse --git-dir >/dev/null 2>&1 &&
    [[ -n "$(git -C "$ATTN_ROOT" status --porcelain -- docs/Dialects)" ]]; then
  attn_log "note: docs/Dialects/ was refreshed from ODS; commit the change"
fi

log="$ATTN_BUILD_DIR/Testing/test-sh.log"
mkdir -p "$(dirname "$log")"
status=0
(cd "$ATTN_BUILD_DIR" && ctest --output-on-failure -j "$(nproc)" "$@") 2>&1 |
  tee "$log" || status=$?

# ctest ends with "NN% tests passed, F tests failed out of T".
summary="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1 || true)"
if [[ -z "$summary" ]]; then
  echo "test.sh: FAILED (ctest printed no summary; exit status $status)"
  exit $((status == 0 ? 1 : status))
fi
failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$summary")"
total="$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$summary")"
# Tests that skip themselves (GTEST_SKIP, e.g. without a GPU) count in the
# total, not as passed.
skipped="$(grep -cE '^[[:space:]]*[0-9]+ - .*\(Skipped\)$' "$log" || true)"
passed=$((total - failed - skipped))
counts="${passed} passed, ${skipped} skipped, ${failed} failed (of ${total} ctest tests)"
if ((status == 0 && failed == 0)); then
  echo "test.sh: ${counts}"
  exit 0
fi
echo "test.sh: FAILED: ${counts}"
exit $((status == 0 ? 1 : status))
