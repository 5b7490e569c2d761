#!/bin/bash
# Lines/s through a docker source (docs/LOGGING.md, "Containers (Docker)").
#   bench/docker_bench.sh N SOCK LODE_URL IMAGE
# A container prints N lines of ~110 bytes as fast as `seq | sed` can on
# IMAGE (a busybox image, e.g. the one tests/collector/docker_harness.h
# imports); lode at LODE_URL must have a docker source on SOCK. Prints how
# long Docker took to write them, how long after the last one lode had all of
# them (count_over_time), and the end-to-end rate.
set -eu
N=${1:-200000}
SOCK=${2:-/var/run/docker.sock}
LODE=${3:-http://127.0.0.1:3100}
IMAGE=${4:-lode-busybox:test}
D="docker -H unix://$SOCK"
name=bench$RANDOM
$D run -d --network none --name "$name" "$IMAGE" sh -c \
  "seq 1 $N | sed 's/^/bench line padded to about one hundred bytes with some text for a realistic log line number /'; sleep 3600" >/dev/null
q="sum(count_over_time({container=\"$name\"}[1h]))"
while :; do
  c=$(curl -s -G "$LODE/loki/api/v1/query" --data-urlencode "query=$q" |
    python3 -c 'import sys,json; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')
  [ "$c" -ge "$N" ] && break
  sleep 0.2
done
seen=$(date +%s.%N)
first=$($D logs -t "$name" | head -1 | cut -d' ' -f1)
last=$($D logs -t --tail 1 "$name" | cut -d' ' -f1)
$D rm -f "$name" >/dev/null
python3 - "$first" "$last" "$seen" "$N" <<'PY'
import sys, datetime
def p(s): return datetime.datetime.fromisoformat(s[:26] + "+00:00").timestamp()
first, last, seen, n = p(sys.argv[1]), p(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
print(f"N={n}: Docker wrote them in {last-first:.2f}s; lode had all {seen-last:.2f}s after the last; "
      f"{n/(seen-first):.0f} lines/s end to end")
PY
