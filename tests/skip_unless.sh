#!/usr/bin/env bash
# usage: skip_unless.sh PATH COMMAND [ARGS...]
# Runs COMMAND when PATH exists; otherwise prints one line naming what is
# missing and exits 77, which CTest reports as skipped (SKIP_RETURN_CODE).
# Tests that need ../shared (Loki's suites and binaries) use it, so a clone
# of this repository alone passes `make test`.
set -u
path=$1
shift
if [ ! -e "$path" ]; then
  echo "SKIPPED: $path not found (it comes with ../shared beside the repository)"
  exit 77
fi
exec "$@"
