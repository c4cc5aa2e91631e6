#!/usr/bin/env bash
# Runs the libFuzzer targets built by `make fuzz-build` (README "Fuzzing").
#   tests/fuzz/run.sh BUILD_DIR SECONDS [NAME...]
# Each target (default: every tests/fuzz/fuzz_NAME.c) runs for SECONDS on
# its seed corpus tests/fuzz/corpus/NAME/ (read only) plus the inputs it found
# before, kept in ${FUZZ_CORPUS_OUT:-BUILD_DIR/corpus}/NAME/. A crash, leak,
# sanitizer report, broken property or hang (-timeout) fails the target; the
# input is saved as BUILD_DIR/crashes/NAME-crash-* (add it to the seed corpus
# once fixed). Prints one summary line per target; exits 1 if any failed.
set -u
[ $# -ge 2 ] || { echo "usage: $0 BUILD_DIR SECONDS [NAME...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build=$1 secs=$2
shift 2
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/fuzz_*.c; do n=$(basename "$f" .c); names+=("${n#fuzz_}"); done
fi
out=${FUZZ_CORPUS_OUT:-$build/corpus}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
bad=0
for n in "${names[@]}"; do
  bin=$build/fuzz-$n seeds=$here/corpus/$n
  if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
    echo "fuzz-$n: missing $([ -x "$bin" ] && echo "$seeds" || echo "$bin")"; bad=1; continue
  fi
  mkdir -p "$out/$n" "$build/crashes"
  log=$(mktemp)
  "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$n-" "$out/$n" "$seeds" >"$log" 2>&1
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  stat() { sed -n "s/^stat::$1:[[:space:]]*//p" "$log" | tail -1; }
  if [ $rc -eq 0 ] && [ -n "$done_line" ]; then
    printf 'fuzz-%-10s %9s runs %7s exec/s  %s  seeds %d  peak rss %s MB\n' "$n" \
      "$(stat number_of_executed_units)" "$(stat average_exec_per_sec)" \
      "$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' <<<"$done_line")" \
      "$(find "$seeds" -type f | wc -l)" "$(stat peak_rss_mb)"
  else
    bad=1
    echo "fuzz-$n: FAILED (exit $rc)"
    # the report and the project's own frames, not libFuzzer's or libc's
    grep -E 'ERROR|SUMMARY|property broken|runtime error|Test unit written|#[0-9]+ .* in .*(src|tests)/' \
      "$log" | head -30 | sed 's/^/    /'
  fi
  rm -f "$log"
done
exit $bad
