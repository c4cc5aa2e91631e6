#!/usr/bin/env bash
# Runs every test tier and prints the aggregate "N passed, N failed" last
# (CI reads that line). Tiers:
#   unit   build/unit-tests (Criterion): counted per test
#   integ  tests/integ/*.sh: one test each; exit 0 pass, 77 skip, else fail
#   fuzz   tests/fuzz/fuzz_NAME.c: one test each, the libFuzzer target run for
#          FUZZ_CHECK_SECONDS (default 3) on its seed corpus; only with DH_FUZZ
# Env: DH_BUILD (dir with deskhand, deskhand-sandbox, unit-tests),
#      DH_FUZZ (dir with the fuzz-NAME targets, `make fuzz-build`),
#      TEST_FILTER (substring of integ and fuzz_NAME test names to run),
#      DH_SLOW=1 (also tests/slow/*.sh, the multi-minute scale tests that
#      `make check-slow` runs; they count as integration tests).
set -u
here=$(cd "$(dirname "$0")" && pwd)
export DH_BUILD=${DH_BUILD:-$here/../build-asan}
export DH_TESTS=$here
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/supp/lsan.supp:print_suppressions=0}
passed=0 failed=0 skipped=0
failures=()

if [ -z "${TEST_FILTER:-}" ] && [ -x "$DH_BUILD/unit-tests" ]; then
  echo "== unit"
  out=$(mktemp)
  "$DH_BUILD/unit-tests" --jobs 2 --short-filename >"$out" 2>&1
  rc=$?
  grep -E '^\[(FAIL|----)\]|Assertion|ERROR|runtime error|Sanitizer' "$out" | head -60
  syn=$(grep -E 'Synthesis: Tested:' "$out" | tail -1)
  echo "$syn"
  t=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' <<<"$syn")
  f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' <<<"$syn")
  c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' <<<"$syn")
  if [ -z "$t" ]; then
    echo "unit-tests: no summary (exit $rc)"; tail -30 "$out"; failed=$((failed + 1)); failures+=(unit-tests)
  else
    passed=$((passed + t)); failed=$((failed + ${f:-0} + ${c:-0}))
    [ "$rc" -ne 0 ] && [ "${f:-0}" = 0 ] && [ "${c:-0}" = 0 ] && { echo "unit-tests exited $rc"; failed=$((failed + 1)); failures+=(unit-tests-exit); }
  fi
  rm -f "$out"
fi

echo "== integration"
slow=()
[ "${DH_SLOW:-}" = 1 ] && slow=("$here"/slow/*.sh)
for t in "$here"/integ/*.sh "${slow[@]}"; do
  [ -e "$t" ] || continue
  name=$(basename "$t" .sh)
  [ -n "${TEST_FILTER:-}" ] && [[ "$name" != *"$TEST_FILTER"* ]] && continue
  log=$(mktemp)
  start=$(date +%s%N)
  timeout 300 bash "$t" >"$log" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  case $rc in
    0)  passed=$((passed + 1)); printf 'ok    %-40s %6d ms\n' "$name" "$ms" ;;
    77) skipped=$((skipped + 1)); printf 'skip  %-40s %s\n' "$name" "$(tail -1 "$log")" ;;
    *)  failed=$((failed + 1)); failures+=("$name")
        printf 'FAIL  %-40s (exit %d)\n' "$name" "$rc"; sed 's/^/    | /' "$log" | tail -40 ;;
  esac
  rm -f "$log"
done

if [ -n "${DH_FUZZ:-}" ]; then
  echo "== fuzz"
  fuzz_out=$(mktemp -d)
  for t in "$here"/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    [ -n "${TEST_FILTER:-}" ] && [[ "$name" != *"$TEST_FILTER"* ]] && continue
    start=$(date +%s%N)
    out=$(FUZZ_CORPUS_OUT=$fuzz_out "$here/fuzz/run.sh" "$DH_FUZZ" "${FUZZ_CHECK_SECONDS:-3}" \
      "${name#fuzz_}" 2>&1)
    rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ $rc -eq 0 ]; then
      passed=$((passed + 1)); printf 'ok    %-40s %6d ms\n' "$name" "$ms"
    else
      failed=$((failed + 1)); failures+=("$name")
      printf 'FAIL  %-40s\n' "$name"; sed 's/^/    | /' <<<"$out" | tail -40
    fi
  done
  rm -rf "$fuzz_out"
fi

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
