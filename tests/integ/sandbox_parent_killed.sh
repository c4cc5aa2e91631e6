#!/usr/bin/env bash
# The helper's caller killed with SIGKILL (deskhand killed mid-command): the helper stops the
# command and its whole tree at once, instead of letting it run on, changing the grant, with
# nobody left to read its output or checkpoint what it did.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap_or_skip
W=$T/work; mkdir -p "$W"
h=
# on failure, stop what was left (SIGTERM to the helper takes its tree down)
trap '[ -n "$h" ] && kill -TERM "$h" 2>/dev/null; cleanup' EXIT
# A duration nobody else uses, so pgrep finds only ours.
d=$((300 + RANDOM % 600)).$$
survivors() { pgrep -f "^sleep $d" || true; }
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) [ZX] ' "/proc/$1/stat" 2>/dev/null; }

# the caller: a shell that starts the helper and waits for it, as the engine does
bash -c '"$1" --rw "$2" -- sh -c "sleep $3; touch late" & echo $! > "$4"; wait' \
  caller "$SANDBOX" "$W" "$d" "$T/helper.pid" & caller=$!
for _ in $(seq 1 200); do [ -n "$(survivors)" ] && break; sleep 0.02; done
[ -n "$(survivors)" ] || fail "sandboxed sleep never started"
h=$(cat "$T/helper.pid")
kill -KILL "$caller"
wait "$caller" 2>/dev/null || true
for _ in $(seq 1 250); do gone "$h" && [ -z "$(survivors)" ] && break; sleep 0.02; done
gone "$h" || fail "the helper runs on after its caller was killed: $(ps -o pid,etime,args -p "$h" | tail -1)"
assert_eq "$(survivors)" "" "sandboxed processes left after the caller was killed"
[ ! -e "$W/late" ] || fail "the command ran to its end"
echo ok
