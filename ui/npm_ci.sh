#!/usr/bin/env bash
# Installs ui/'s pinned npm packages (package-lock.json: uPlot) into DIR,
# never into the source tree, and touches STAMP when done.
#
# usage: npm_ci.sh UI_SOURCE_DIR DIR STAMP [NEEDED_FILE...]
#
# The install is skipped when DIR/node_modules/.lode-lock equals the lock file
# (the build runs this again only when the lock changes). A half-finished
# install (no marker) or a missing NEEDED_FILE (the build lists the files it
# embeds as outputs of this step, so deleting one runs it again) is redone. --ignore-scripts: uPlot needs no
# install script, so nothing can download from elsewhere.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 UI_SOURCE_DIR DIR STAMP [NEEDED_FILE...]" >&2
  exit 2
fi
src=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
stamp=$3
shift 3
complete=1
for f in "$@"; do [ -f "$f" ] || complete=0; done
command -v npm >/dev/null || { echo "ui: npm not found (make deps installs it: apt-get install npm)" >&2; exit 1; }
marker=$dir/node_modules/.lode-lock
if [ "$complete" = 0 ] || [ ! -f "$marker" ] || ! cmp -s "$src/package-lock.json" "$marker" || ! cmp -s "$src/package.json" "$dir/package.json"; then
  echo "ui: npm ci into $dir"
  rm -rf "$dir/node_modules"
  cp "$src/package.json" "$src/package-lock.json" "$dir/"
  if ! (cd "$dir" && timeout 300 npm ci --no-audit --no-fund --no-update-notifier --ignore-scripts --loglevel=error); then
    echo "ui: npm ci failed (is the npm registry reachable?)" >&2
    rm -rf "$dir/node_modules"
    exit 1
  fi
  cp "$src/package-lock.json" "$marker"
fi
# npm keeps the tarballs' 1985 mtimes; make the installed files newer than
# package.json so the build sees them as up to date.
find "$dir/node_modules" -type f -exec touch {} +
touch "$stamp"
