#!/usr/bin/env bash
# bench/compare.sh [--quick] [BUILD_DIR]
#
# lode and Grafana Loki 2.7.5 side by side, on this machine, with the same
# data and the same harness, one server after the other:
#   1. unpacks the reference binaries of ../shared/anchors into BUILD_DIR/anchors;
#   2. fixes the data set once (lode-bench's generator is deterministic: same
#      seed, lines, streams, span and --end give byte-identical data);
#   3. starts BUILD_DIR/lode, runs `lode-bench all` against it, waits
#      LODE_COMPARE_IDLE seconds and samples its idle RSS; lode stays up;
#   4. starts Loki 2.7.5 (../shared/anchors/loki-2.7.5.yaml with a temporary
#      data dir and free ports), runs the same `lode-bench all` against it with
#      --check-results against lode (the answers are compared query by query),
#      samples its idle RSS the same way;
#   5. writes the comparison with `lode-bench compare`: Markdown and SVG.
#
# Output (LODE_COMPARE_OUT, default bench/compare/): lode.json, loki.json,
# report.md, chart.svg, and the servers' logs when LODE_COMPARE_KEEP=1.
#
# Sizes (environment; defaults are issue 15's data set):
#   LODE_COMPARE_LINES=2000000 LODE_COMPARE_STREAMS=1000 LODE_COMPARE_SPAN=24h
#   LODE_COMPARE_RUNS=3 LODE_COMPARE_CONNECTIONS=2 LODE_COMPARE_IDLE=30
#   LODE_COMPARE_END=<unix seconds>   (default: now; set it to repeat a run)
#   LODE_COMPARE_ONLY=lode|loki       run one server only (no --check-results)
#   LODE_COMPARE_ANCHORS=DIR          where to unpack the binaries (default BUILD_DIR/anchors)
# --quick: 100k lines, 100 streams, 1h, 1 run, 5 s idle (a smoke test, ~2 min).
#
# Needs nothing from the internet: the binaries come from ../shared/anchors.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
quick=""
if [[ "${1:-}" == "--quick" ]]; then
  quick=1
  shift
fi
BUILD_DIR=$(cd "${1:-$root/build}" && pwd)
SHARED=${LODE_SHARED:-$root/../shared}
if [[ ! -d "$SHARED/anchors" || ! -x "$SHARED/anchors/unpack.sh" ]]; then
  echo "compare.sh: $SHARED/anchors not found: it holds the Grafana Loki 2.7.5 binary this" >&2
  echo "compare.sh: script compares against (set LODE_SHARED to its parent directory)" >&2
  exit 2
fi
for bin in lode lode-bench; do
  if [[ ! -x "$BUILD_DIR/$bin" ]]; then
    echo "compare.sh: $BUILD_DIR/$bin not found; build first (make build)" >&2
    exit 1
  fi
done
command -v xz >/dev/null || { echo "compare.sh: xz not found (apt-get install xz-utils)" >&2; exit 1; }

if [[ -n "$quick" ]]; then
  LINES=${LODE_COMPARE_LINES:-100000}
  STREAMS=${LODE_COMPARE_STREAMS:-100}
  SPAN=${LODE_COMPARE_SPAN:-1h}
  RUNS=${LODE_COMPARE_RUNS:-1}
  IDLE=${LODE_COMPARE_IDLE:-5}
else
  LINES=${LODE_COMPARE_LINES:-2000000}
  STREAMS=${LODE_COMPARE_STREAMS:-1000}
  SPAN=${LODE_COMPARE_SPAN:-24h}
  RUNS=${LODE_COMPARE_RUNS:-3}
  IDLE=${LODE_COMPARE_IDLE:-30}
fi
CONNECTIONS=${LODE_COMPARE_CONNECTIONS:-2}
END=${LODE_COMPARE_END:-$(date +%s)}
ONLY=${LODE_COMPARE_ONLY:-}
OUT=${LODE_COMPARE_OUT:-$here/compare}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ANCHORS=$("$SHARED/anchors/unpack.sh" "${LODE_COMPARE_ANCHORS:-$BUILD_DIR/anchors}")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lode-compare.XXXXXX")
LODE_PID=""
LOKI_PID=""

stop() {  # stop PID: TERM, then KILL after 20 s
  local pid=$1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317  # invoked through the EXIT trap
cleanup() {
  local status=$?
  stop "$LOKI_PID"
  stop "$LODE_PID"
  if [[ -n "${LODE_COMPARE_KEEP:-}" ]]; then
    echo "compare.sh: kept data dirs and logs in $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
wait_ready() {  # wait_ready URL PID NAME LOG SECONDS
  for _ in $(seq 1 $(($5 * 5))); do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "compare.sh: $3 exited before becoming ready; its log:" >&2
      tail -n 30 "$4" >&2
      return 1
    fi
    if python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
      "$1/ready" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  echo "compare.sh: $3 did not answer $1/ready within $5 s; its log:" >&2
  tail -n 30 "$4" >&2
  return 1
}
# add_idle FILE PID: waits IDLE seconds, then records the server's RSS in FILE
# (idle.rss_bytes, idle.after_seconds) and the load average.
add_idle() {
  sleep "$IDLE"
  python3 - "$1" "$2" "$IDLE" <<'EOF'
import json, os, sys
path, pid, idle = sys.argv[1], sys.argv[2], float(sys.argv[3])
rss = 0
with open(f"/proc/{pid}/status") as f:
    for line in f:
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
with open(path) as f:
    d = json.load(f)
d["idle"] = {"rss_bytes": rss, "after_seconds": idle, "loadavg": os.getloadavg()[0]}
with open(path, "w") as f:
    json.dump(d, f, indent=1)
print(f"compare.sh: idle RSS {rss / 2**20:.1f} MiB after {idle:.0f} s")
EOF
}

ARGS=(--lines "$LINES" --streams "$STREAMS" --span "$SPAN" --end "$END" --runs "$RUNS"
  --connections "$CONNECTIONS")
echo "== data: $LINES lines, $STREAMS streams, span $SPAN, end $END (seed 1); load $(cut -d' ' -f1-3 /proc/loadavg)"

LODE_URL=""
if [[ "$ONLY" != "loki" ]]; then
  port=$(free_port)
  LODE_URL="http://127.0.0.1:$port"
  mkdir -p "$WORK/lode"
  "$BUILD_DIR/lode" --listen "127.0.0.1:$port" --data-dir "$WORK/lode" >"$WORK/lode.log" 2>&1 &
  LODE_PID=$!
  wait_ready "$LODE_URL" "$LODE_PID" lode "$WORK/lode.log" 60
  echo "== lode ($BUILD_DIR/lode, $LODE_URL)"
  "$BUILD_DIR/lode-bench" all --url "$LODE_URL" "${ARGS[@]}" --pid "$LODE_PID" \
    --data-dir "$WORK/lode" --label "lode $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo dev)" \
    --out "$OUT/lode.json"
  add_idle "$OUT/lode.json" "$LODE_PID"
fi

if [[ "$ONLY" != "lode" ]]; then
  http=$(free_port)
  grpc=$(free_port)
  mkdir -p "$WORK/loki"
  sed -e "s#LOKI_DATA_DIR#$WORK/loki#g" -e "s#3101#$http#" -e "s#9096#$grpc#" \
    "$SHARED/anchors/loki-2.7.5.yaml" >"$WORK/loki.yaml"
  LOKI_URL="http://127.0.0.1:$http"
  "$ANCHORS/loki" -config.file="$WORK/loki.yaml" >"$WORK/loki.log" 2>&1 &
  LOKI_PID=$!
  wait_ready "$LOKI_URL" "$LOKI_PID" "Loki 2.7.5" "$WORK/loki.log" 120
  echo "== Grafana Loki 2.7.5 ($ANCHORS/loki, $LOKI_URL)"
  check=()
  [[ -n "$LODE_URL" ]] && check=(--check-results "$LODE_URL")
  "$BUILD_DIR/lode-bench" all --url "$LOKI_URL" "${ARGS[@]}" --pid "$LOKI_PID" \
    --data-dir "$WORK/loki" --label "Loki 2.7.5" "${check[@]}" --out "$OUT/loki.json"
  add_idle "$OUT/loki.json" "$LOKI_PID"
fi

if [[ -z "$ONLY" ]]; then
  "$BUILD_DIR/lode-bench" compare "$OUT/lode.json" "$OUT/loki.json" \
    --md "$OUT/report.md" --svg "$OUT/chart.svg"
  echo "== report: $OUT/report.md, $OUT/chart.svg (load $(cut -d' ' -f1-3 /proc/loadavg))"
fi
