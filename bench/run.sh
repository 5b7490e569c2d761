#!/usr/bin/env bash
# bench/run.sh BUILD_DIR [extra lode-bench options]
#
# What `make bench` runs:
#   1. BUILD_DIR/lode-micro (micro-benchmarks), if it was built;
#   2. BUILD_DIR/lode on a free loopback port with a temporary data dir;
#   3. lode-bench all against it (short default data set, with --pid and
#      --data-dir so server CPU, memory and disk footprint are measured);
#   4. stops lode and prints where the results are.
#
# Environment overrides (defaults keep the run to a few minutes on 2 cores):
#   LODE_BENCH_LINES=1000000 LODE_BENCH_STREAMS=100 LODE_BENCH_SPAN=1h
#   LODE_BENCH_RUNS=3 LODE_BENCH_CONNECTIONS=2
#   LODE_BENCH_OUT=BUILD_DIR/bench-results.json
#   LODE_BENCH_KEEP=1      keep the data dir and server log
#   LODE_MICRO_ARGS=...    extra arguments for lode-micro
#   LODE_BENCH_SKIP_MICRO=1
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [extra lode-bench options]" >&2
  exit 2
fi
BUILD_DIR=$(cd "$1" && pwd)
shift

LINES=${LODE_BENCH_LINES:-1000000}
STREAMS=${LODE_BENCH_STREAMS:-100}
SPAN=${LODE_BENCH_SPAN:-1h}
RUNS=${LODE_BENCH_RUNS:-3}
CONNECTIONS=${LODE_BENCH_CONNECTIONS:-2}
OUT=${LODE_BENCH_OUT:-$BUILD_DIR/bench-results.json}
READY_TIMEOUT_S=60
BENCH_TIMEOUT_S=900

if [[ -x "$BUILD_DIR/lode-micro" && -z "${LODE_BENCH_SKIP_MICRO:-}" ]]; then
  echo "== micro-benchmarks ($BUILD_DIR/lode-micro)"
  # shellcheck disable=SC2086
  "$BUILD_DIR/lode-micro" ${LODE_MICRO_ARGS:-}
else
  echo "== micro-benchmarks: skipped (no $BUILD_DIR/lode-micro)"
fi

for bin in lode lode-bench; do
  if [[ ! -x "$BUILD_DIR/$bin" ]]; then
    echo "run.sh: $BUILD_DIR/$bin not found; build first (make build)" >&2
    exit 1
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lode-bench.XXXXXX")
DATA_DIR=$WORK/data
LOG=$WORK/lode.log
mkdir -p "$DATA_DIR"
LODE_PID=""

# shellcheck disable=SC2317  # invoked through the EXIT trap
cleanup() {
  local status=$?
  if [[ -n "$LODE_PID" ]] && kill -0 "$LODE_PID" 2>/dev/null; then
    kill -TERM "$LODE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$LODE_PID" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$LODE_PID" 2>/dev/null; then
      echo "run.sh: lode did not stop within 10s; killing it" >&2
      kill -KILL "$LODE_PID" 2>/dev/null || true
    fi
    wait "$LODE_PID" 2>/dev/null || true
  fi
  if [[ -n "${LODE_BENCH_KEEP:-}" ]]; then
    echo "run.sh: kept data dir and server log in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free loopback port: bind port 0 and let the kernel choose.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
URL="http://127.0.0.1:$PORT"

echo "== starting lode on $URL (data dir $DATA_DIR)"
"$BUILD_DIR/lode" --listen "127.0.0.1:$PORT" --data-dir "$DATA_DIR" >"$LOG" 2>&1 &
LODE_PID=$!

ready=""
for _ in $(seq 1 $((READY_TIMEOUT_S * 5))); do
  if ! kill -0 "$LODE_PID" 2>/dev/null; then
    echo "run.sh: lode exited before becoming ready; its log:" >&2
    tail -n 40 "$LOG" >&2
    LODE_PID=""
    exit 1
  fi
  if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "$URL/ready" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  echo "run.sh: lode did not answer $URL/ready within ${READY_TIMEOUT_S}s; its log:" >&2
  tail -n 40 "$LOG" >&2
  exit 1
fi

echo "== lode-bench all: $LINES lines, $STREAMS streams, span $SPAN"
rm -f "$OUT"
status=0
timeout --foreground --signal=TERM "$BENCH_TIMEOUT_S" "$BUILD_DIR/lode-bench" all --url "$URL" \
  --lines "$LINES" --streams "$STREAMS" --span "$SPAN" --runs "$RUNS" \
  --connections "$CONNECTIONS" --pid "$LODE_PID" --data-dir "$DATA_DIR" \
  --label "lode $(git -C "$(dirname "$0")" rev-parse --short HEAD 2>/dev/null || echo dev)" \
  --out "$OUT" "$@" || status=$?
if [[ $status -eq 124 ]]; then
  echo "run.sh: lode-bench did not finish within ${BENCH_TIMEOUT_S}s" >&2
fi
if ! kill -0 "$LODE_PID" 2>/dev/null; then
  echo "run.sh: lode is no longer running (crashed?); last lines of its log:" >&2
  tail -n 40 "$LOG" >&2
  LODE_PID=""
  [[ $status -eq 0 ]] && status=1
fi
[[ -f "$OUT" ]] && echo "== results: $OUT (compare two with: lode-bench compare A.json B.json --md report.md --svg chart.svg)"
exit $status
