#!/bin/bash
# The label browser at 100,000 streams (bench/RESULTS.md, "Label browser at
# 100,000 streams"): ingests 2M lines into a fresh lode on port 3942, then
# times labels / label values / series, and the same browser requests with a
# matcher (the per-stream path). Needs build/lode and build/lode-bench.
set -e
cd "$(dirname "$0")/.."
rm -rf /tmp/lb && mkdir -p /tmp/lb
printf 'limits_config:\n  max_global_streams_per_user: 200000\n  max_streams_per_user: 0\n' > /tmp/lb/c.yaml
END=$(date +%s)
build/lode --config /tmp/lb/c.yaml --listen 127.0.0.1:3942 --data-dir /tmp/lb/d > /tmp/lb/lode.log 2>&1 &
PID=$!
sleep 1
build/lode-bench ingest --url http://127.0.0.1:3942 --lines 2M --streams 100000 --span 24h --end $END \
  --connections 2 --pid $PID --out /tmp/lb/ingest.json 2>&1 | tail -15
build/lode-bench query --url http://127.0.0.1:3942 --lines 2M --streams 100000 --span 24h --end $END \
  --runs 5 --only label --pid $PID 2>&1 | tail -8
build/lode-bench query --url http://127.0.0.1:3942 --lines 2M --streams 100000 --span 24h --end $END \
  --runs 5 --only series --pid $PID 2>&1 | tail -4
S=$(( (END-86400) ))000000000; E=${END}000000000
for q in "labels?start=$S&end=$E" "label/app/values?start=$S&end=$E" "labels?start=$S&end=$E&query=%7Bapp%3D~%22.%2B%22%7D" "label/app/values?start=$S&end=$E&query=%7Bapp%3D~%22.%2B%22%7D"; do
  for i in 1 2 3 4 5 6; do curl -s -o /dev/null -w '%{time_total} ' "http://127.0.0.1:3942/loki/api/v1/$q"; done; echo " $q"
done
curl -s "http://127.0.0.1:3942/loki/api/v1/labels?start=$S&end=$E" | head -c 300; echo
curl -s "http://127.0.0.1:3942/loki/api/v1/labels?start=$S&end=$E&query=%7Bapp%3D~%22.%2B%22%7D" | head -c 300; echo
kill $PID; wait $PID || true
