#!/usr/bin/env bash
# test: serial (asserts on elapsed time)
# Process limits that hold as root: the per-command cgroup's pids.max. First verify with a small
# limit that it is in force (RLIMIT_NPROC is not, for root); then a fork bomb under --timeout 5
# is contained: the host can still fork meanwhile, the helper returns in time, nothing survives,
# and the cgroup is removed (also the one a SIGKILLed helper left behind).
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
status=$("$SANDBOX" --status)
grep -q '^processes: cgroup' <<<"$status" \
  || skip "no cgroup pids controller to hold a fork bomb: $(grep '^processes:' <<<"$status")"
cgparent=$(sed -n 's/^processes: cgroup v[12] pids (\(.*\)),.*/\1/p' <<<"$status")
[ -n "$cgparent" ] || fail "cannot parse: $status"
W=$T/work; mkdir -p "$W"
d=$((300 + RANDOM % 600)).$$
survivors() { pgrep -f "$1" || true; }

# 1. The limit is in force: with pids.max 24, at most 24 tasks exist however many are asked for.
rc=0
# (dash gives up on the first failed fork, where bash would retry for long.)
out=$("$SANDBOX" --rw "$W" --pids-max 24 --timeout 10 -- sh -c "
  sh -c 'for i in \$(seq 1 60); do sleep $d & done' 2>/dev/null
  set -- /proc/[0-9]*; echo procs=\$#" 2>&1) || rc=$?
procs=$(sed -n 's/.*procs=\([0-9]*\).*/\1/p' <<<"$out" | tail -1)
[ -n "$procs" ] || fail "no count (rc $rc): $out"
[ "$procs" -le 24 ] || fail "pids.max 24 not in force: $procs processes"
[ "$procs" -ge 10 ] || fail "too few processes ($procs): the test did not reach the limit"
assert_eq "$(survivors "^sleep $d")" "" "sleepers left"

# 2. The bomb, with a modest limit so this machine stays usable whatever happens.
marker=bomb$$x$RANDOM
start=$(date +%s%N)
"$SANDBOX" --rw "$W" --pids-max 256 --timeout 5 -- bash -c ": $marker; :(){ :|:& };:; exec sleep $d" \
  >"$T/bomb.out" 2>&1 &
h=$!
sleep 1.5
# the host can still fork while it runs
for i in 1 2 3 4 5; do /bin/true || fail "host fork $i failed during the bomb"; done
n=$(survivors "$marker" | wc -l)
[ "$n" -gt 10 ] || fail "the bomb did not run ($n processes): $(cat "$T/bomb.out")"
[ "$n" -le 260 ] || fail "$n bomb processes: over pids.max 256"
rc=0; wait "$h" || rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
assert_eq "$rc" 124 "bomb exit status"
[ "$ms" -lt 9000 ] || fail "the helper took ${ms} ms with --timeout 5"
sleep 0.2
assert_eq "$(survivors "$marker")" "" "bomb processes left"
assert_eq "$(survivors "^sleep $d")" "" "the bomb's sleep left"
left=$(find "$cgparent" -maxdepth 1 -name "cmd-$h-*" -type d 2>/dev/null | wc -l)
assert_eq "$left" 0 "per-command cgroups left under $cgparent"

# 3. A helper killed with SIGKILL cannot remove its cgroup; the next command sweeps it.
"$SANDBOX" --rw "$W" -- sleep "$d" & k=$!
for _ in $(seq 1 100); do [ -n "$(find "$cgparent" -maxdepth 1 -name "cmd-$k-*")" ] && break; sleep 0.02; done
[ -n "$(find "$cgparent" -maxdepth 1 -name "cmd-$k-*")" ] || fail "no cgroup for helper $k"
kill -KILL "$k"; wait "$k" 2>/dev/null || true
for _ in $(seq 1 100); do [ -z "$(survivors "^sleep $d")" ] && break; sleep 0.02; done
"$SANDBOX" --rw "$W" -- true
assert_eq "$(find "$cgparent" -maxdepth 1 -name "cmd-$k-*" | wc -l)" 0 "stale cgroup of a killed helper"
# bwrap's init can outlive a helper killed during start-up; the sweep kills it.
assert_eq "$(survivors "^sleep $d")" "" "a sandbox outlived its killed helper"
echo "ok (bomb contained, $n processes at its peak, ${ms} ms)"
