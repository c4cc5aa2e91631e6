#!/usr/bin/env bash
# test: serial (asserts on elapsed time)
# Wall-clock timeout kills the whole tree (exit 124); SIGTERM to the helper and the helper's
# own death take the tree down too. No sandboxed process survives on the host.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

# A duration nobody else uses, so pgrep finds only ours.
d=$((300 + RANDOM % 600)).$$
survivors() { pgrep -f "^sleep $d" || true; }

start=$(date +%s%N)
rc=0; "$SANDBOX" --rw "$W" --timeout 1 -- sh -c "sleep $d & sleep $d" || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$rc" 124 "timeout exit status"
[ "$ms" -lt 4000 ] || fail "timeout took ${ms} ms"
assert_eq "$(survivors)" "" "processes left after timeout"

# A command that finishes in time is not affected; background children die with it.
rc=0; "$SANDBOX" --rw "$W" --timeout 5 -- sh -c "sleep $d & exit 7" || rc=$?
assert_eq "$rc" 7
assert_eq "$(survivors)" "" "background process left after exit"

# SIGTERM to the helper: tree killed, exit 128+15; once running, and right at start-up
# (bwrap's init may not have armed its PDEATHSIG yet: the helper must kill it itself).
for early in 0 1 0 1 1 1; do
  "$SANDBOX" --rw "$W" -- sh -c "sleep $d & sleep $d" & h=$!
  # the background subshell must have exec'd the helper (else it runs lib.sh's EXIT trap)
  for _ in $(seq 1 200); do [ "$(readlink "/proc/$h/exe")" = "$(readlink -f "$SANDBOX")" ] && break; sleep 0.005; done
  if [ "$early" = 0 ]; then
    for _ in $(seq 1 100); do [ -n "$(survivors)" ] && break; sleep 0.02; done
    [ -n "$(survivors)" ] || fail "sandboxed sleep never started"
  fi
  kill -TERM "$h"
  rc=0; wait "$h" || rc=$?
  assert_eq "$rc" 143 "SIGTERM exit status (early=$early)"
  assert_eq "$(survivors)" "" "processes left after SIGTERM (early=$early)"
done

# SIGKILL to the helper: bwrap has PDEATHSIG, --die-with-parent does the rest.
"$SANDBOX" --rw "$W" -- sh -c "sleep $d & sleep $d" & h=$!
for _ in $(seq 1 100); do [ "$(survivors | wc -l)" = 2 ] && break; sleep 0.02; done
[ -n "$(survivors)" ] || fail "sandboxed sleep never started"
kill -KILL "$h"; wait "$h" 2>/dev/null || true
for _ in $(seq 1 40); do [ -z "$(survivors)" ] && break; sleep 0.05; done
assert_eq "$(survivors)" "" "processes left after the helper was SIGKILLed"
echo ok
