#!/usr/bin/env bash
# The ruler's cost: 100 alerting rules over 5-minute windows on lode-bench's
# data set (1,000 streams), in 10 groups of 10. Ingests the data, then lets the
# ruler evaluate every INTERVAL for DURATION seconds and reports lode's CPU
# time per evaluation of all 100 rules and what that costs per minute at
# evaluation_interval: 1m (one evaluation per minute). The queries run with
# query.scan_threads: 1, i.e. entirely on the ruler's thread ("lode-ruler"),
# whose CPU time is the ruler's cost (the process total, which includes
# RocksDB compactions after the ingest, is printed too).
#
#   bench/ruler_bench.sh [BUILD_DIR] [LINES] [INTERVAL] [DURATION]
#   bench/ruler_bench.sh build 2000000 10s 120
set -euo pipefail
BUILD=${1:-build}
LINES=${2:-2000000}
INTERVAL=${3:-10s}
DURATION=${4:-120}
TMP=$(mktemp -d /tmp/lode-ruler-bench-XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT

mkdir -p "$TMP/rules/fake"
apps=(api nginx worker postgres syslog billing)
for g in $(seq 0 9); do
  echo "groups:" > "$TMP/rules/fake/g$g.yaml"
  echo "  - name: group-$g" >> "$TMP/rules/fake/g$g.yaml"
  echo "    rules:" >> "$TMP/rules/fake/g$g.yaml"
  for r in $(seq 0 9); do
    i=$((g * 10 + r)); app=${apps[$((i % 6))]}
    case $((i % 4)) in
      0) expr="sum by (instance) (count_over_time({app=\"$app\"} |= \"error\" [5m])) > $i" ;;
      1) expr="sum by (level) (rate({app=\"$app\", env=\"prod\"}[5m])) > $i" ;;
      2) expr="sum(count_over_time({app=\"$app\"} |~ \"timeout|refused\" [5m])) > $i" ;;
      3) expr="sum by (app) (bytes_over_time({app=\"$app\"}[5m])) > $i" ;;
    esac
    printf '      - alert: Rule%d\n        expr: %s\n        for: 5m\n' "$i" "'$expr'" >> "$TMP/rules/fake/g$g.yaml"
  done
done
"$BUILD/lode" rules check "$TMP"/rules/fake/*.yaml | tail -1

cat > "$TMP/lode.yaml" <<YAML
ruler:
  storage:
    type: local
    local:
      directory: $TMP/rules
  evaluation_interval: $INTERVAL
query:
  scan_threads: 1
YAML
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$BUILD/lode" --config "$TMP/lode.yaml" --listen 127.0.0.1:$PORT --data-dir "$TMP/data" 2>"$TMP/lode.log" &
PID=$!
for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/ready >/dev/null && break; sleep 0.1; done
"$BUILD/lode-bench" ingest --url http://127.0.0.1:$PORT --lines "$LINES" --streams 1000 --span 24h >/dev/null
curl -sf -XPOST http://127.0.0.1:$PORT/flush
sleep 5
cpu() { awk '{print $14 + $15}' /proc/$PID/stat; }
rcpu() { for t in /proc/$PID/task/*; do if [ "$(cat $t/comm)" = lode-ruler ]; then awk '{print $14 + $15}' $t/stat; fi; done; }
evals() { curl -s http://127.0.0.1:$PORT/metrics | awk '$1 == "lode_ruler_evaluations_total" {print $2}'; }
HZ=$(getconf CLK_TCK)
c0=$(cpu); r0=$(rcpu); e0=$(evals); sleep "$DURATION"; c1=$(cpu); r1=$(rcpu); e1=$(evals)
fail=$(curl -s http://127.0.0.1:$PORT/metrics | awk '$1 == "lode_ruler_rule_failures_total" {print $2}')
python3 - "$c0" "$c1" "$r0" "$r1" "$e0" "$e1" "$HZ" "$DURATION" "$fail" <<'PY'
import sys
c0, c1, r0, r1, e0, e1, hz, dur, fail = map(float, sys.argv[1:])
cpu = (c1 - c0) / hz
rcpu = (r1 - r0) / hz
passes = (e1 - e0) / 10  # 10 groups per pass of all 100 rules
print(f"lode process CPU {cpu:.2f} s, ruler thread CPU {rcpu:.2f} s over {dur:.0f} s; "
      f"{passes:.0f} passes of 100 rules; rule failures {fail:.0f}")
if passes:
    per = rcpu / passes
    print(f"CPU per pass of 100 rules: {per*1000:.0f} ms; at one pass per minute: {per/60*100:.2f}% of one core")
PY
