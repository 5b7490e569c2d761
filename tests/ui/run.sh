#!/usr/bin/env bash
# Browser test of the built-in log explorer: Debian's chromium, driven
# headless by puppeteer-core (npm; it downloads no browser), against the real
# lode binary.
#
# usage: run.sh LODE_BINARY BUILD_DIR
#
# Exits 77 (CTest SKIP_RETURN_CODE) with one line when chromium, node or npm
# is missing. Installs the pinned packages (package-lock.json) with `npm ci`
# into BUILD_DIR/ui-test/ (never into the source tree) when they are missing
# or the lock file changed, then runs modules.test.mjs (the page's DOM-free
# modules under node) and explorer.test.mjs (the page in chromium; it starts
# lode itself, see its header) with node's test runner. Screenshots go to
# BUILD_DIR/ui-test/screenshots/.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 LODE_BINARY BUILD_DIR" >&2
  exit 2
fi
lode=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [ -z "$chromium" ]; then
  echo "ui: SKIPPED: chromium not installed (apt-get install chromium, or make test-deps)"
  exit 77
fi
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ui: SKIPPED: $tool not installed (apt-get install nodejs npm)"; exit 77; }
done
dir=$(mkdir -p "$2/ui-test" && cd "$2/ui-test" && pwd)

# ---- install (cached under the build directory) ----------------------------
marker=$dir/node_modules/.lode-lock
if [ ! -f "$marker" ] || ! cmp -s "$src/package-lock.json" "$marker" || ! cmp -s "$src/package.json" "$dir/package.json"; then
  echo "ui: npm ci into $dir"
  rm -rf "$dir/node_modules"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  t0=$SECONDS
  # --ignore-scripts and PUPPETEER_SKIP_DOWNLOAD: never fetch a browser.
  if ! (cd "$dir" && PUPPETEER_SKIP_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error); then
    echo "ui: npm ci failed (is the npm registry reachable?)" >&2
    rm -rf "$dir/node_modules"
    exit 1
  fi
  cp "$src/package-lock.json" "$marker"
  echo "ui: npm ci took $((SECONDS - t0)) s"
fi
# The test imports puppeteer-core by name, so it runs beside node_modules.
cp "$src/explorer.test.mjs" "$src/modules.test.mjs" "$dir/"
mkdir -p "$dir/screenshots"

cd "$dir"
UI_SRC=$(cd "$src/../../ui" && pwd) LODE_BINARY=$lode CHROMIUM=$chromium SCREENSHOT_DIR=$dir/screenshots \
  timeout 300 node --test --test-concurrency=1 --test-timeout=90000 --test-reporter=spec modules.test.mjs explorer.test.mjs
