#!/usr/bin/env bash
# usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# SECONDS=0 replays the seed corpus and the regressions once (deterministic).
# Otherwise runs each libFuzzer target for SECONDS (before committing: 20) on a working
# corpus seeded from fuzz/corpus/<target> and fuzz/regressions/<target>
# (inputs that once crashed, run first). A crash, leak, sanitizer report or
# timeout stops that target and the run fails: the input is kept under
# BUILD_DIR/fuzz-artifacts/, and the failure prints its path, the command
# that reruns it, and the input itself in base64 (a CI log is enough to
# reproduce). Prints one line per target and a closing "N passed, N failed".
set -u
mkdir -p "$1"
build=$(cd "$1" && pwd)
seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(push_protobuf_fuzz push_json_fuzz otlp_fuzz logql_parse_fuzz template_fuzz
                                     stages_fuzz labels_fuzz chunk_fuzz config_fuzz line_codec_fuzz)
passed=0
failed=0
mkdir -p "$build/fuzz-artifacts"
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t
  if [ ! -x "$bin" ]; then
    echo "fuzz: $t: $bin not built" >&2
    failed=$((failed + 1))
    continue
  fi
  work=$build/fuzz-corpus/$t
  mkdir -p "$work"
  [ -d "$src/corpus/$t" ] && cp -n "$src/corpus/$t"/* "$work/" 2>/dev/null
  seeds=()
  [ -d "$src/regressions/$t" ] && seeds+=("$src/regressions/$t")
  log=$build/fuzz-artifacts/$t.log
  if [ "$seconds" -eq 0 ]; then
    dirs=("$src/corpus/$t")
    [ -d "$src/regressions/$t" ] && dirs+=("$src/regressions/$t")
    if "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 "${dirs[@]}" >"$log" 2>&1; then
      echo "fuzz: $t: ok (corpus and regressions replayed)"
      passed=$((passed + 1))
    else
      echo "fuzz: $t: FAILED replaying its corpus; report in $log:" >&2
      grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5 >&2
      failed=$((failed + 1))
    fi
    continue
  fi
  if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$t-" "$work" "${seeds[@]}" >"$log" 2>&1; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
    echo "fuzz: $t: ok (${execs:-?} runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz: $t: FAILED; report in $log:" >&2
    grep -E 'ERROR|runtime error|SUMMARY' "$log" | head -5 >&2
    # libFuzzer names the input it kept ("Test unit written to PATH").
    for input in $(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log"); do
      echo "fuzz: $t: reproducer: $input" >&2
      echo "fuzz: $t: rerun with: $bin $input" >&2
      echo "fuzz: $t: once fixed, keep it: cp $input $src/regressions/$t/" >&2
      if [ -f "$input" ] && [ "$(stat -c %s "$input")" -le 65536 ]; then
        echo "fuzz: $t: the input (base64 -d to get it back): $(base64 -w0 "$input")" >&2
      fi
    done
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
