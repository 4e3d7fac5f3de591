#!/usr/bin/env bash
#===- fuzz.sh - build, seed and run the libFuzzer targets -------------------===#
#
# Builds fuzz/ in build-fuzz/ (libFuzzer coverage plus ASan and UBSan on the
# project's code, scripts/common.sh's sanitizer set-up), seeds each target's
# corpus (every `// -----` split of the lit tests' .mlir files for the
# pipeline fuzzer; .npy files of every element type, shape corner and a few
# broken headers for the .npy fuzzer) and runs each target for the given
# time. Findings land in build-fuzz/fuzz/findings/<target>/ (crash-*,
# timeout-*, oom-*), libFuzzer's last stats line in
# build-fuzz/fuzz/<target>.log (its last "#<runs>: cov: ... oom/timeout/
# crash: a/b/c" line is the summary). docs/Fuzzing.md records the runs.
#
# Usage: scripts/fuzz.sh [seconds per target (600)] [targets...]
#   targets: pipeline npy (default: both)
#
#===------------------------------------------------------------------------===#

set -euo pipefail
export ATTN_SANITIZE="${ATTN_SANITIZE:-address,undefined}"
export ATTN_BUILD_DIR="${ATTN_BUILD_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build-fuzz}"
export ATTN_CMAKE_ARGS="${ATTN_CMAKE_ARGS:-} -DATTN_BUILD_FUZZERS=ON"
# shellcheck source=common.sh source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

seconds="${1:-600}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(pipeline npy)

attn_install_packages
attn_configure
attn_build attn-pipeline-fuzzer attn-npy-fuzzer

work="$ATTN_BUILD_DIR/fuzz"
mkdir -p "$work"

seed_pipeline() {
  local dir="$work/corpus/pipeline"
  mkdir -p "$dir"
  /usr/bin/python3 - "$ATTN_ROOT/test" "$dir" <<'PY'
import hashlib, pathlib, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for path in sorted(root.rglob("*.mlir")):
    for chunk in path.read_text().split("// -----"):
        body = "\n".join(l for l in chunk.splitlines()
                         if not l.lstrip().startswith("//"))
        if "func.func" in body and len(body) < 20000:
            name = hashlib.sha1(body.encode()).hexdigest()[:16]
            (out / name).write_text(body)
PY
}

seed_npy() {
  local dir="$work/corpus/npy"
  mkdir -p "$dir"
  /usr/bin/python3 - "$dir" <<'PY'
import io, sys, numpy as np, pathlib
out = pathlib.Path(sys.argv[1])
arrays = {
  "f32": np.arange(24, dtype=np.float32).reshape(2, 3, 4),
  "f16": np.ones((3, 1), np.float16), "f64": np.zeros((0, 5)),
  "i8": np.arange(5, dtype=np.int8), "i32": np.arange(6, dtype=np.int32),
  "i64": np.arange(3, dtype=np.int64), "bool": np.array([[True, False]]),
  "u16": np.arange(4, dtype=np.uint16), "scalar": np.float32(3.5),
  "fortran": np.asfortranarray(np.ones((2, 3), np.float32)),
  "bigendian": np.arange(4, dtype=">f4"),
}
for name, a in arrays.items():
    buf = io.BytesIO(); np.save(buf, a); (out / name).write_bytes(buf.getvalue())
good = (out / "f32").read_bytes()
(out / "truncated").write_bytes(good[:-7])
(out / "bad-shape").write_bytes(good.replace(b"(2, 3, 4)", b"(2, 3x, 4)"))
PY
}

status=0
for target in "${targets[@]}"; do
  case "$target" in
    pipeline) seed_pipeline; bin="$ATTN_BUILD_DIR/bin/attn-pipeline-fuzzer" ;;
    npy) seed_npy; bin="$ATTN_BUILD_DIR/bin/attn-npy-fuzzer" ;;
    *) attn_log "unknown target '$target' (pipeline, npy)"; exit 2 ;;
  esac
  findings="$work/findings/$target"
  mkdir -p "$findings" "$work/corpus/$target"
  attn_log "fuzzing $target for ${seconds}s"
  # Fork mode, so that a finding is saved and the run goes on for the whole
  # time. -timeout: an input that runs longer is a hang; -rss_limit_mb: the
  # pipeline of a large seed stays far below it.
  "$bin" "$work/corpus/$target" -fork=1 -ignore_crashes=1 \
      -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$seconds" \
      -timeout=30 -rss_limit_mb=4096 -artifact_prefix="$findings/" \
      >"$work/$target.log" 2>&1 || status=1
  # The last progress line: executed inputs, coverage, oom/timeout/crash.
  grep -E '^#[0-9]+: cov:' "$work/$target.log" | tail -1 |
    sed "s/^/[attn] $target: /" >&2 || true
  found=$(find "$findings" -type f | wc -l)
  attn_log "$target: $found finding(s) in $findings/"
  ((found == 0)) || status=1
done
exit "$status"
