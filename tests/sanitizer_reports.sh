#!/usr/bin/env bash
# usage: sanitizer_reports.sh DIR clear|check
# The sanitizer build (`make test SANITIZE=...`) sends the reports of every
# process, test binaries and the lode servers they start, to files under DIR
# (ASAN_OPTIONS/UBSAN_OPTIONS log_path, set in tests/CMakeLists.txt): a lode
# server's stderr is its data directory's lode.log, which the tests remove.
# `clear` runs before the first test, `check` after the last: it prints every
# report and fails if there is one.
set -u
dir=$1
case $2 in
  clear)
    rm -rf "$dir" && mkdir -p "$dir"
    ;;
  check)
    shopt -s nullglob
    reports=("$dir"/*)
    if [ ${#reports[@]} -eq 0 ]; then
      echo "sanitizer reports: none"
      exit 0
    fi
    for r in "${reports[@]}"; do
      echo "==== $r"
      head -c 20000 "$r"
    done
    echo "sanitizer reports: ${#reports[@]} (in $dir)"
    exit 1
    ;;
  *)
    echo "usage: $0 DIR clear|check" >&2
    exit 2
    ;;
esac
