#!/usr/bin/env bash
# End-to-end test with real Loki client libraries from the npm registry
# (winston-loki over snappy protobuf, pino-loki over JSON) and the
# OpenTelemetry JS SDK's OTLP log exporters (protobuf, JSON + gzip).
#
# usage: run.sh LODE_BINARY BUILD_DIR
#
# Installs the pinned packages (package-lock.json) with `npm ci` into
# BUILD_DIR/clients/ (never into the source tree) when they are missing or the
# lock file changed, starts LODE_BINARY on a free loopback port with a fresh
# data directory, waits for /ready, runs *.test.mjs with node's test
# runner against LODE_URL, stops lode. Exit status: 0 when every test passed.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 LODE_BINARY BUILD_DIR" >&2
  exit 2
fi
lode=$1
src=$(cd "$(dirname "$0")" && pwd)
dir=$(mkdir -p "$2/clients" && cd "$2/clients" && pwd)

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "clients: $tool not found" >&2; exit 1; }
done

# ---- install (cached under the build directory) ----------------------------
stamp=$dir/node_modules/.lode-lock
if [ ! -f "$stamp" ] || ! cmp -s "$src/package-lock.json" "$stamp" || ! cmp -s "$src/package.json" "$dir/package.json"; then
  echo "clients: npm ci into $dir"
  rm -rf "$dir/node_modules"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  t0=$SECONDS
  # --ignore-scripts: nothing here needs an install script (snappy's binding is
  # a prebuilt npm package), so no script can download from elsewhere.
  if ! (cd "$dir" && timeout 300 npm ci --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error); then
    echo "clients: npm ci failed (is the npm registry reachable?)" >&2
    rm -rf "$dir/node_modules"
    exit 1
  fi
  cp "$src/package-lock.json" "$stamp"
  echo "clients: npm ci took $((SECONDS - t0)) s"
fi
# The test imports the packages by name, so it runs beside node_modules.
cp "$src"/*.test.mjs "$dir/"

# ---- start lode --------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lode-clients.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Polls /ready for up to 10 s; fails early when lode exits.
wait_ready() {
  node -e '
    const [url, pid] = [process.argv[1], Number(process.argv[2])];
    const deadline = Date.now() + 10000;
    (async () => {
      for (;;) {
        try { process.kill(pid, 0); } catch { process.exit(3); }
        try {
          const r = await fetch(url + "/ready", { signal: AbortSignal.timeout(1000) });
          if (r.status === 200) process.exit(0);
        } catch {}
        if (Date.now() > deadline) process.exit(1);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();' "$1" "$2"
}

url=
for attempt in 1 2 3; do
  port=$(free_port)
  rm -rf "$tmp/data"
  "$lode" --listen "127.0.0.1:$port" --data-dir "$tmp/data" >"$tmp/lode.log" 2>&1 &
  pid=$!
  if wait_ready "http://127.0.0.1:$port" "$pid"; then
    url=http://127.0.0.1:$port
    break
  fi
  echo "clients: lode did not become ready on port $port (attempt $attempt):" >&2
  cat "$tmp/lode.log" >&2
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=
done
[ -n "$url" ] || exit 1

# ---- run the tests -------------------------------------------------------------
status=0
(cd "$dir" && LODE_URL=$url timeout 120 node --test --test-timeout=60000 --test-reporter=spec clients.test.mjs otlp.test.mjs) || status=$?
if [ "$status" -ne 0 ]; then
  echo "clients: node tests failed (exit $status); lode log:" >&2
  tail -n 50 "$tmp/lode.log" >&2
fi
exit "$status"
