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
#      `make check-slow` runs; they count as integration tests),
#      DH_RELEASE_SANDBOX (the release build's deskhand-sandbox: static, and
#      built against musl, unlike DH_BUILD's sanitizer build; every
#      sandbox_*.sh test runs once more against it, as sandbox_NAME@release).
set -u
here=$(cd "$(dirname "$0")" && pwd)
export DH_BUILD=${DH_BUILD:-$here/../build-asan}
export DH_TESTS=$here
# quarantine_size_mb=32: ASan keeps freed memory poisoned, and out of reuse, until
# 32 MiB more has been freed (256 by default), so a use after free is still caught
# when it comes within 32 MiB of frees. Every allocation beyond the quarantine is
# fresh memory: page faults, and on a 2-core VM TLB-shootdown IPIs between a
# process's threads, are most of the system time of the suite's heavy processes.
# With 32 the unit phase took 96 s against 111 s, and 6 instants of
# crash_kill_random 25-27 s against 33 s (the same seed, alternating runs).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99:quarantine_size_mb=32}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/supp/lsan.supp:print_suppressions=0}
passed=0 failed=0 skipped=0
failures=()
# The tests' scripts (the fake servers, the drivers, `python3 -c`) run
# Debian's python3, which `make deps` installs with the python3-* modules
# they import, not whatever python3 comes first in PATH: a pyenv shim there
# (a bash script that runs `pyenv exec`) took 0.7-1.1 s to start Python,
# against 0.05-0.1 s for Debian's, on every start.
pybin=
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
  pybin=$(mktemp -d)
  ln -s /usr/bin/python3 "$pybin/python3"
  export PATH=$pybin:$PATH
fi
trap '[ -n "$pybin" ] && rm -rf "$pybin"' EXIT

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
  echo "   unit: ${SECONDS} s"
fi

echo "== integration"
t0=$SECONDS
slow=()
[ "${DH_SLOW:-}" = 1 ] && slow=("$here"/slow/*.sh)
# Integration tests run DH_JOBS at a time (default 2); a test whose header
# has a line "# test: serial" (it asserts on elapsed time, or loads the
# machine itself) runs alone after the others. Each test's processes carry
# DH_TEST_RUN in their environment: whatever of them outlives the test (an
# engine, a workbench in a tmux pane) is reported by name and killed, so no
# test slows the ones after it. A test is stopped after 300 s, or after N s
# when its header has a line "# test: timeout N" (a multi-minute test of
# tests/slow/ on a loaded machine).
jobs=${DH_JOBS:-2}
runs=$(mktemp -d)
pool=() serial=()
for t in "$here"/integ/*.sh "${slow[@]}"; do
  [ -e "$t" ] || continue
  name=${t##*/} name=${name%.sh}
  [ -n "${TEST_FILTER:-}" ] && [[ "$name" != *"$TEST_FILTER"* ]] && continue
  both=("$t")
  [[ -n "${DH_RELEASE_SANDBOX:-}" && "$name" == sandbox_* ]] && both+=("$t@release")
  if grep -q '^# test: serial' "$t"; then serial+=("${both[@]}"); else pool+=("${both[@]}"); fi
done
if [ -n "${DH_RELEASE_SANDBOX:-}" ] && [ ! -x "$DH_RELEASE_SANDBOX" ]; then
  echo "DH_RELEASE_SANDBOX=$DH_RELEASE_SANDBOX is not an executable file"; exit 2
fi

# The pids whose environment holds DH_TEST_RUN=$1. One grep over every
# process: the suite runner calls this after each test while the next waits
# (a grep per process took 0.7 s a test, one slot idle for it).
test_procs() {
  local f
  for f in $(grep -lzxF "DH_TEST_RUN=$1" /proc/[0-9]*/environ 2>/dev/null); do
    f=${f%/environ}
    # a process already exiting (no command line left) is not left behind
    [ -n "$(tr -d '\0' <"$f/cmdline" 2>/dev/null)" ] && echo "${f#/proc/}"
  done
}

# Run CMD... in the background as the test NAME; its record lands in
# $runs/NAME.{log,rc,ms}.
start_job() {
  local name=$1
  shift
  (
    start=$(date +%s%N)
    DH_TEST_RUN="$$-$name" "$@" >"$runs/$name.log" 2>&1
    echo $? >"$runs/$name.rc"
    echo $(( ($(date +%s%N) - start) / 1000000 )) >"$runs/$name.ms"
  ) &
  running[$!]=$name
}

# Run the integration test file T in the background (start_job). T@release
# runs T with the release helper as $SANDBOX (tests/lib.sh DH_TEST_SANDBOX).
start_test() {
  local t=${1%@release} limit name
  name=${t##*/} name=${name%.sh}
  limit=$(sed -n 's/^# test: timeout \([0-9][0-9]*\)$/\1/p' "$t" | head -1)
  if [ "$1" != "$t" ]; then
    start_job "$name@release" env DH_TEST_SANDBOX="$DH_RELEASE_SANDBOX" timeout "${limit:-300}" bash "$t"
  else
    start_job "$name" timeout "${limit:-300}" bash "$t"
  fi
}

# Count and print the record of the test NAME, and reap what it left behind.
finish_test() {
  local name=$1 rc ms left
  rc=$(cat "$runs/$name.rc" 2>/dev/null || echo 125)
  ms=$(cat "$runs/$name.ms" 2>/dev/null || echo 0)
  left=$(test_procs "$$-$name")
  if [ -n "$left" ]; then
    printf 'stray %-40s left running, killed: %s\n' "$name" \
      "$(for p in $left; do printf '%s(%s) ' "$p" "$(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | cut -c1-60)"; done)"
    kill -9 $left 2>/dev/null
  fi
  case $rc in
    0)  passed=$((passed + 1)); printf 'ok    %-40s %6d ms\n' "$name" "$ms" ;;
    77) skipped=$((skipped + 1)); printf 'skip  %-40s %s\n' "$name" "$(tail -1 "$runs/$name.log")" ;;
    *)  failed=$((failed + 1)); failures+=("$name")
        printf 'FAIL  %-40s (exit %d)\n' "$name" "$rc"; sed 's/^/    | /' "$runs/$name.log" | tail -40 ;;
  esac
}

declare -A running=()
# Wait until fewer than N jobs run, finishing each that ends.
wait_below() {
  while [ "${#running[@]}" -ge "$1" ]; do
    wait -n -p done_pid "${!running[@]}"
    finish_test "${running[$done_pid]}"; unset "running[$done_pid]"
  done
}
for t in "${pool[@]}"; do
  wait_below "$jobs"
  start_test "$t"
done
wait_below 1
[ ${#serial[@]} -gt 0 ] && echo "   in parallel: $((SECONDS - t0)) s; serial tests:"
for t in "${serial[@]}"; do
  start_test "$t"
  wait_below 1
done

echo "   integration: $((SECONDS - t0)) s"

if [ -n "${DH_FUZZ:-}" ]; then
  echo "== fuzz"
  t0=$SECONDS
  fuzz_out=$(mktemp -d)
  # DH_JOBS targets at a time, each for its fixed time.
  for t in "$here"/fuzz/fuzz_*.c; do
    name=${t##*/} name=${name%.c}
    [ -n "${TEST_FILTER:-}" ] && [[ "$name" != *"$TEST_FILTER"* ]] && continue
    wait_below "$jobs"
    start_job "$name" env FUZZ_CORPUS_OUT="$fuzz_out" "$here/fuzz/run.sh" "$DH_FUZZ" \
      "${FUZZ_CHECK_SECONDS:-3}" "${name#fuzz_}"
  done
  wait_below 1
  rm -rf "$fuzz_out"
  echo "   fuzz: $((SECONDS - t0)) s"
fi
rm -rf "$runs"

[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
